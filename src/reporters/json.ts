import { JSON_SEPARATOR } from '../audit/job.js';
import type { Finding } from '../rules/contract.js';
import type { ReportHeader, Reporter, ReportSummary } from './reporter.js';

export const JSON_REPORT_VERSION = 1;

/**
 * { "version", "root", "preset", "roles", "findings": [...], "summary" }, written as it goes:
 * one finding per line inside the array, so memory does not grow with the report and the
 * stream can be read line by line as well as parsed whole.
 */
export function jsonReporter(): Reporter {
  let first = true;
  return {
    begin(header: ReportHeader) {
      const head = {
        version: JSON_REPORT_VERSION,
        root: header.root,
        ...(header.resolvedRoot !== header.root ? { resolvedRoot: header.resolvedRoot } : {}),
        preset: header.preset,
        presetSource: header.presetSource,
        config: header.config.file,
        roles: Object.fromEntries(header.roles.map(({ name, ...role }) => [name, role])),
        runner: header.runner,
      };
      const text = JSON.stringify(head, null, 2);
      return `${text.slice(0, -2)},\n  "findings": [`;
    },
    serialize: (finding: Finding) => JSON.stringify(finding),
    finding(finding: Finding) {
      return this.serializedFinding!() + this.serialize!(finding);
    },
    serializedFinding() {
      const separator = first ? '\n    ' : JSON_SEPARATOR;
      first = false;
      return separator;
    },
    end(summary: ReportSummary) {
      const { elapsedMs, ...counts } = summary;
      return `${first ? '' : '\n  '}],\n  "summary": ${JSON.stringify({ ...counts, elapsedMs: Math.round(elapsedMs) })}\n}\n`;
    },
  };
}
