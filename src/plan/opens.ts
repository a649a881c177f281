import type { Inode } from '../access/types.js';
import { untrustedWriters } from '../access/writers.js';
import { applyChange } from '../change/change.js';
import type { EntryPolicy } from '../policy/compile.js';
import type { Subject } from '../roles/subject.js';
import type { PlanMemo } from './memo.js';

/**
 * Whether someone untrusted can change a directory once its plan is applied: the policy has an
 * untrusted role write it or own it (an owner can chmod), or the plan's own state lets someone
 * untrusted write it (a group it gives write may hold users who are no role). A command printed
 * for a path inside it could be turned elsewhere after the plan's first command ran.
 */
export function planOpens(
  dir: Inode & { nlink: number },
  policy: EntryPolicy,
  subjects: readonly Subject[],
  trusted: ReadonlySet<number>,
  plans: PlanMemo,
  underDefaultAcl: boolean,
): boolean {
  if (policy.owner && !trusted.has(policy.owner.uid)) return true;
  if (policy.levels.some((level, s) => level === 'write' && !trusted.has(subjects[s]!.principal.uid))) return true;
  // What the plan wants of the directory itself, before what is below it adds search.
  const change = plans.plan(dir, true, policy, [], dir.nlink, underDefaultAcl).change;
  return change !== undefined && untrustedWriters(applyChange(dir, change), trusted).length > 0;
}
