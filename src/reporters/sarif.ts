import { JSON_SEPARATOR } from '../audit/job.js';
import type { Finding } from '../rules/contract.js';
import { RULE_IDS, type Severity } from '../rules/ids.js';
import { RULES } from '../rules/index.js';
import { HOMEPAGE, VERSION } from '../version.js';
import type { ReportHeader, Reporter, ReportSummary } from './reporter.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/** A path relative to the root as a URI reference: each segment percent-encoded. */
function uri(path: string): string {
  return path === '.' ? '.' : path.split('/').map(encodeURIComponent).join('/');
}

function result(finding: Finding) {
  const { rule, severity, path, message, fix, ...rest } = finding;
  return {
    ruleId: rule,
    level: LEVEL[severity],
    message: { text: fix ? `${message}. Fix: ${fix}` : message },
    locations: [{ physicalLocation: { artifactLocation: { uri: uri(path), uriBaseId: 'ROOT' } } }],
    properties: { ...rest, ...(fix ? { fix } : {}) },
  };
}

/**
 * SARIF 2.1.0, for code scanning (GitHub's upload-sarif): one run, every rule described, a result
 * per finding located relative to the audited root. Written as it goes, like the JSON format.
 */
export function sarifReporter(): Reporter {
  let first = true;
  return {
    begin(header: ReportHeader) {
      const run = {
        tool: {
          driver: {
            name: 'permcheck',
            version: VERSION,
            informationUri: HOMEPAGE,
            rules: RULE_IDS.map((id) => ({
              id,
              shortDescription: { text: RULES[id].title },
              fullDescription: { text: RULES[id].summary },
              helpUri: `${HOMEPAGE}/blob/main/docs/rules.md#${id}`,
              defaultConfiguration: { level: LEVEL[RULES[id].defaultSeverity] },
            })),
          },
        },
        originalUriBaseIds: { ROOT: { uri: `file://${header.resolvedRoot.split('/').map(encodeURIComponent).join('/')}/` } },
      };
      const head = JSON.stringify({ $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [run] }, null, 2);
      // Reopen the run to stream its results: '...}\n  ]\n}' -> '...},\n      "results": ['
      return `${head.slice(0, head.lastIndexOf('}', head.lastIndexOf(']') - 1))},\n      "results": [`;
    },
    serialize: (finding: Finding) => JSON.stringify(result(finding)),
    serializedFinding() {
      const separator = first ? '\n    ' : JSON_SEPARATOR;
      first = false;
      return separator;
    },
    finding(finding: Finding) {
      return this.serializedFinding!() + this.serialize!(finding);
    },
    end(summary: ReportSummary) {
      const { elapsedMs, ...counts } = summary;
      return `${first ? '' : '\n      '}],\n      "properties": ${JSON.stringify({ ...counts, elapsedMs: Math.round(elapsedMs) })}\n    }\n  ]\n}\n`;
    },
  };
}
