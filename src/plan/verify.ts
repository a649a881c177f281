import { grants } from '../access/permission.js';
import type { Inode } from '../access/types.js';
import type { EntryPolicy } from '../policy/compile.js';
import type { AuditSettings, Candidate, EntryFacts } from '../rules/contract.js';
import type { RuleId } from '../rules/ids.js';
import { ENTRY_RULES } from '../rules/index.js';

/**
 * Findings that no owner, group or mode of the entry itself can end: what a role's umask or the code
 * creates (cross-context), and a mode the policy needs although the owner's umask would not give it
 * (mode-drift then blames the umask).
 */
const ADVICE_ONLY: ReadonlySet<RuleId> = new Set(['cross-context', 'mode-drift']);

/**
 * Re-run every rule on the planned state, as if every role could reach the entry (the plan opens the
 * way for those that need it). Returns the rules that would still report something a change of the
 * entry should have ended: a plan that leaves one is wrong and is not printed.
 */
export function leftovers(
  planned: Inode,
  isDir: boolean,
  policy: EntryPolicy,
  settings: AuditSettings,
  underDefaultAcl: boolean,
): { rule: RuleId; subject: number }[] {
  const facts = plannedFacts(planned, isDir, policy, settings, underDefaultAcl);
  const out: Candidate[] = [];
  for (const rule of ENTRY_RULES) rule.check!(facts, settings, out);
  return out.filter((c) => !ADVICE_ONLY.has(c.rule)).map((c) => ({ rule: c.rule, subject: c.subject }));
}

/**
 * Does the planned state end this finding of the entry? A fix is shown under a finding only when it
 * does: the plan of an entry changes it for every rule at once, and a finding the change leaves
 * standing (a mode stricter than the umask gives, a loss only a umask can stop) gets advice instead.
 */
export function ends(
  planned: Inode,
  isDir: boolean,
  policy: EntryPolicy,
  settings: AuditSettings,
  underDefaultAcl: boolean,
  finding: { rule: RuleId; subject: number },
): boolean {
  const rule = ENTRY_RULES.find((r) => r.id === finding.rule);
  if (!rule?.check) return true;
  const facts = plannedFacts(planned, isDir, policy, settings, underDefaultAcl);
  const out: Candidate[] = [];
  rule.check(facts, settings, out);
  return !out.some((c) => c.subject === finding.subject);
}

/** The planned entry as the rules see it, as if every role could reach it (the plan opens the way). */
function plannedFacts(planned: Inode, isDir: boolean, policy: EntryPolicy, settings: AuditSettings, underDefaultAcl: boolean): EntryFacts {
  return {
    rel: '',
    raw: undefined,
    inode: planned,
    isDir,
    policy,
    reachable: new Uint8Array(settings.subjects.length).fill(1),
    granted: Uint8Array.from(settings.subjects, (subject) => grants(planned, subject.principal)),
    underDefaultAcl,
  };
}
