import { jsonForLogs } from '../text/printable.js';
import type { Finding } from '../rules/contract.js';
import { ItemSeparators, printAround, type JsonPath } from './json-stream.js';
import type { ReportHeader, Reporter, ReportSummary } from './reporter.js';

/** A JSON format: its whole document as a value, where the findings go in it, and one finding as a value. */
export interface JsonFormat {
  /** The document; the array at `findingsAt` stays empty (the findings stream), `summary` is undefined at the start. */
  document(header: ReportHeader, summary: ReportSummary | undefined): unknown;
  findingsAt: JsonPath;
  /** One finding as the format holds it: pure, since worker threads run it. */
  item(finding: Finding): unknown;
}

/**
 * A reporter for a JSON format that streams: the document is printed around its findings, which
 * are written as they come (by this thread, or as bytes a worker serialized), so memory does not
 * grow with the report.
 */
export function streamingReporter(format: JsonFormat): Reporter {
  const separators = new ItemSeparators();
  let header: ReportHeader | undefined;
  // Names are the tree's: nothing invisible or a workflow command may reach a terminal or CI log raw.
  const serialize = (finding: Finding) => jsonForLogs(JSON.stringify(format.item(finding)));
  return {
    begin(begun: ReportHeader) {
      header = begun;
      return printAround(format.document(begun, undefined), format.findingsAt, false).head;
    },
    serialize,
    serializedFinding: () => separators.next(),
    finding: (finding: Finding) => separators.next() + serialize(finding),
    end(summary: ReportSummary) {
      if (!header) throw new Error('streamingReporter: end() before begin()');
      return printAround(format.document(header, summary), format.findingsAt, separators.any).tail;
    },
  };
}

/** The counts for a summary: elapsed time rounded to whole milliseconds. */
export function summaryCounts({ elapsedMs, baseline, ...counts }: ReportSummary) {
  return { ...counts, elapsedMs: Math.round(elapsedMs), ...(baseline ? { baseline } : {}) };
}
