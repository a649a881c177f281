import type { Finding } from '../rules/contract.js';
import type { ReportHeader, Reporter, ReportSummary } from './reporter.js';
import { streamingReporter, summaryCounts } from './streaming.js';

export const JSON_REPORT_VERSION = 1;

/** The JSON report as one value; `findings` streams (json-stream.ts), `summary` comes at the end. */
export function jsonDocument(header: ReportHeader, summary: ReportSummary | undefined) {
  return {
    version: JSON_REPORT_VERSION,
    root: header.root,
    resolvedRoot: header.resolvedRoot !== header.root ? header.resolvedRoot : undefined,
    artifact: header.artifact,
    preset: header.preset,
    presetSource: header.presetSource,
    config: header.config.file,
    roles: Object.fromEntries(header.roles.map(({ name, ...role }) => [name, role])),
    runner: header.runner,
    notes: header.notes?.length ? header.notes : undefined,
    findings: [] as Finding[],
    summary: summary && summaryCounts(summary),
  };
}

/**
 * { "version", "root", "preset", "roles", "findings": [...], "summary" }, written as it goes:
 * one finding per line inside the array, so memory does not grow with the report and the
 * stream can be read line by line as well as parsed whole.
 */
export function jsonReporter(): Reporter {
  return streamingReporter({ document: jsonDocument, findingsAt: ['findings'], item: (finding) => finding });
}
