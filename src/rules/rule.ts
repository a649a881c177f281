import type { AuditSettings, Candidate, DescribeContext, EntryFacts } from './contract.js';
import { RULE_IDS, type RuleId, type Severity } from './ids.js';

export interface RuleMeta {
  id: RuleId;
  title: string;
  defaultSeverity: Severity;
  /** One line: what breaks. The long form lives in docs/rules.md. */
  summary: string;
  /**
   * 'directory': only directories can have this finding, so files never break a directory's
   * "every entry below shares it" aggregation.
   */
  scope: 'entry' | 'directory';
  /** Whether a subtree sharing the finding is reported once at its top. */
  aggregate: boolean;
}

export interface Rule extends RuleMeta {
  /** Per-entry check; pushes candidates. Absent for rules the engine raises itself. */
  check?(entry: EntryFacts, settings: AuditSettings, out: Candidate[]): void;
  /** Words and a fix, when the candidate is reported. entries > 1: it covers a whole subtree. */
  describe(candidate: Candidate, context: DescribeContext): { message: string; advice?: string; extra?: Record<string, unknown> };
}

/**
 * The severity of a rule's main case: the configured one, else the default; undefined when off.
 * A rule's secondary case (a sticky world-writable directory, a stricter mode) keeps its own
 * severity unless the rule is off.
 */
export function severityOf(rule: RuleMeta, settings: AuditSettings, secondary?: Severity): Severity | undefined {
  const configured = settings.severities[rule.id];
  if (configured === 'off') return undefined;
  if (secondary) return secondary;
  return configured ?? rule.defaultSeverity;
}

/**
 * What a fix command must name: the entry's real bytes when its path is not valid UTF-8 (its `rel`
 * then only shows U+FFFD), else `rel`. Messages show `rel`; commands always use this.
 */
export function target(c: Candidate): string | Uint8Array {
  return c.raw ?? c.rel;
}

const SEVERITY_INDEX: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * Aggregation key: findings with equal keys below a directory can be folded into one. Built
 * from fixed indexes, so keys agree across worker threads.
 */
export function candidateKey(rule: RuleId, severity: Severity, subject: number, extra = 0): number {
  return ((RULE_IDS.indexOf(rule) * 4 + SEVERITY_INDEX[severity]) * 128 + (subject + 1)) * 65536 + extra;
}

export function candidate(
  rule: RuleId,
  severity: Severity,
  entry: EntryFacts,
  subject: number,
  detail: number,
  extra?: unknown,
): Candidate {
  // Built property by property: spreads on this path cost measurably (see Walker.lstat).
  const made: Candidate = {
    rule,
    severity,
    key: candidateKey(rule, severity, subject),
    rel: entry.rel,
    inode: entry.inode,
    subject,
    detail,
    entries: 1,
  };
  if (extra !== undefined) made.extra = extra;
  if (entry.raw) made.raw = entry.raw;
  return made;
}
