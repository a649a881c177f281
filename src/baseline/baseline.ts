import { createHash } from 'node:crypto';
import type { Finding } from '../rules/contract.js';

export const BASELINE_VERSION = 1;

/**
 * One accepted finding: rule, path and role for people to read, and a fingerprint of what was
 * found (the entry's type, mode and owner, and what the rule found about it), never of the
 * message, so that rewording a message in a later version keeps a baseline valid while a file
 * whose mode changed counts as new.
 */
export interface BaselineEntry {
  rule: string;
  path: string;
  role?: string;
  fingerprint: string;
}

/** The file --write-baseline writes and --baseline reads. */
export interface BaselineFile {
  version: typeof BASELINE_VERSION;
  findings: BaselineEntry[];
}

/** What --baseline did to a run, for the reporters. */
export interface BaselineOutcome {
  file: string;
  /** Findings of this run that the baseline holds, not reported. */
  suppressed: number;
  /** Entries of the baseline no finding of this run matched: the file can shrink by them. */
  stale: BaselineEntry[];
}

/** Words, counts and derived numbers: they change with versions, configs and the tree's size, not with what was found. */
const NOT_FOUND = new Set(['message', 'fix', 'advice', 'noFix', 'severity', 'entries']);

export function fingerprintOf(finding: Finding): string {
  const found = Object.keys(finding)
    .filter((key) => !NOT_FOUND.has(key))
    .sort()
    .map((key) => [key, finding[key]]);
  return createHash('sha256').update(JSON.stringify(found)).digest('hex').slice(0, 20);
}

export function baselineEntry(finding: Finding): BaselineEntry {
  return {
    rule: finding.rule,
    path: finding.path,
    ...(finding.role !== undefined ? { role: finding.role } : {}),
    fingerprint: fingerprintOf(finding),
  };
}

/** A baseline of these findings, in a stable order (path, rule, role) so that it diffs well in review. */
export function baselineOf(entries: readonly BaselineEntry[]): BaselineFile {
  const key = (e: BaselineEntry) => [e.path, e.rule, e.role ?? '', e.fingerprint];
  const sorted = [...entries].sort((a, b) => compareKeys(key(a), key(b)));
  return { version: BASELINE_VERSION, findings: sorted };
}

function compareKeys(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

/**
 * Matches a run's findings against a baseline, one entry per finding (a finding that occurs twice
 * needs two entries), and says what is left over at the end.
 */
export class BaselineFilter {
  private readonly remaining = new Map<string, BaselineEntry[]>();
  suppressed = 0;

  constructor(
    readonly file: string,
    baseline: BaselineFile,
  ) {
    for (const entry of baseline.findings) {
      const same = this.remaining.get(entry.fingerprint);
      if (same) same.push(entry);
      else this.remaining.set(entry.fingerprint, [entry]);
    }
  }

  /** Whether the baseline accepts this finding (then it is not reported). */
  accepts(finding: Finding): boolean {
    const fingerprint = fingerprintOf(finding);
    const same = this.remaining.get(fingerprint);
    if (!same) return false;
    same.pop();
    if (same.length === 0) this.remaining.delete(fingerprint);
    this.suppressed++;
    return true;
  }

  outcome(): BaselineOutcome {
    return { file: this.file, suppressed: this.suppressed, stale: baselineOf([...this.remaining.values()].flat()).findings };
  }
}
