import type { Log, ReportingDescriptor, Result, Run } from 'sarif';
import type { Finding } from '../rules/contract.js';
import { RULE_IDS, type Severity } from '../rules/ids.js';
import { RULES } from '../rules/index.js';
import { HOMEPAGE, VERSION } from '../version.js';
import type { ReportHeader, Reporter, ReportSummary } from './reporter.js';
import { streamingReporter, summaryCounts } from './streaming.js';

const LEVEL: Record<Severity, Result.level> = { error: 'error', warning: 'warning', info: 'note' };

/**
 * A path relative to the root as a URI reference: each segment percent-encoded. A name that is not
 * UTF-8 is encoded from its real bytes (pathBytes), so a tool resolving the URI finds that file, not a
 * name with U+FFFD in it.
 */
function uri(path: string, pathBytes: string | undefined): string {
  if (pathBytes !== undefined) return encodeBytes(Buffer.from(pathBytes, 'hex'));
  return path === '.' ? '.' : path.split('/').map(encodeURIComponent).join('/');
}

/** RFC 3986: unreserved bytes and '/' as they are, every other byte as %XX. */
function encodeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~/]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function sarifResult(finding: Finding): Result {
  const { rule, severity, path, message, fix, ...rest } = finding;
  return {
    ruleId: rule,
    level: LEVEL[severity],
    message: { text: fix ? `${message}. Fix: ${fix}` : message },
    locations: [{ physicalLocation: { artifactLocation: { uri: uri(path, finding.pathBytes), uriBaseId: 'ROOT' } } }],
    properties: { ...rest, ...(fix ? { fix } : {}) },
  };
}

function ruleDescriptor(id: (typeof RULE_IDS)[number]): ReportingDescriptor {
  return {
    id,
    shortDescription: { text: RULES[id].title },
    fullDescription: { text: RULES[id].summary },
    helpUri: `${HOMEPAGE}/blob/main/docs/rules.md#${id}`,
    defaultConfiguration: { level: LEVEL[RULES[id].defaultSeverity] },
  };
}

/** The SARIF log as one value; its run's results stream, the summary lands in the run's properties. */
export function sarifLog(header: ReportHeader, summary: ReportSummary | undefined): Log {
  const run: Run = {
    tool: { driver: { name: 'permcheck', version: VERSION, informationUri: HOMEPAGE, rules: RULE_IDS.map(ruleDescriptor) } },
    // An archive's entries are no files on this machine: their paths stay relative, with no base to resolve them.
    ...(header.artifact
      ? {}
      : { originalUriBaseIds: { ROOT: { uri: `file://${header.resolvedRoot.split('/').map(encodeURIComponent).join('/')}/` } } }),
    results: [],
    ...(summary || header.artifact || header.notes?.length
      ? {
          properties: {
            ...(header.artifact ? { artifact: header.artifact } : {}),
            ...(header.notes?.length ? { notes: header.notes } : {}),
            ...(summary ? summaryCounts(summary) : {}),
          },
        }
      : {}),
  };
  return { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [run] };
}

/**
 * SARIF 2.1.0, for code scanning (GitHub's upload-sarif): one run, every rule described, a result
 * per finding located relative to the audited root. Written as it goes, like the JSON format.
 */
export function sarifReporter(): Reporter {
  return streamingReporter({ document: sarifLog, findingsAt: ['runs', 0, 'results'], item: sarifResult });
}
