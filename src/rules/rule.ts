import type { AuditSettings, Candidate, DescribeContext, EntryFacts, Payload } from './contract.js';
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

/** Room for each field of a key: 2^16 subjects (-1 included), 2^24 values of a rule's own part. */
const SUBJECTS = 2 ** 16;
const EXTRAS = 2 ** 24;

/**
 * Aggregation key: findings with equal keys below a directory can be folded into one. Built
 * from fixed indexes, so keys agree across worker threads. Each field has its own range (rule,
 * severity, subject, then the rule's own part), 46 bits in all, so no two findings that differ
 * share a key; a value outside its range is a bug, never a silent collision.
 */
export function candidateKey(rule: RuleId, severity: Severity, subject: number, extra = 0): number {
  const fits =
    Number.isInteger(subject) && Number.isInteger(extra) && subject >= -1 && subject < SUBJECTS - 1 && extra >= 0 && extra < EXTRAS;
  if (!fits) {
    throw new Error(`candidate key out of range: ${rule} subject ${subject}, extra ${extra}`);
  }
  return ((RULE_IDS.indexOf(rule) * 4 + SEVERITY_INDEX[severity]) * SUBJECTS + (subject + 1)) * EXTRAS + extra;
}

/** The rule a key was built for. */
export function ruleOfKey(key: number): RuleId {
  return RULE_IDS[Math.floor(key / (EXTRAS * SUBJECTS * 4))]!;
}

export function candidate(
  rule: RuleId,
  severity: Severity,
  entry: EntryFacts,
  subject: number,
  detail: number,
  extra?: Payload,
  /** What tells this rule's findings apart beyond rule, severity and role (0: nothing). */
  keyExtra = 0,
): Candidate {
  // Built property by property: spreads on this path cost measurably (see Walker.lstat).
  const made: Candidate = {
    rule,
    severity,
    key: candidateKey(rule, severity, subject, keyExtra),
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
