import type { Inode } from '../access/types.js';
import type { EntryPolicy } from '../policy/compile.js';
import type { AuditSettings } from '../rules/contract.js';
import { planEntry, type EntryPlan } from './entry.js';

/** Distinct entries remembered per policy; past this, plans are computed each time (memory stays bounded). */
const LIMIT = 4096;

/**
 * planEntry, remembered. A plan depends on the entry's type, mode, owner and group, never on its path
 * (plan/verify.ts judges the planned state with an empty rel), so entries alike under one policy share
 * it: most directories of a tree are planned (some rule has a finding to fold there), and planning
 * one runs the solver (~4 µs). Plans are never changed once made, so sharing them is safe. Entries
 * with an ACL, and files with other names (whose plan is a refusal), are planned each time.
 */
export class PlanMemo {
  private readonly byPolicy = new WeakMap<EntryPolicy, Map<string, EntryPlan>>();

  constructor(private readonly settings: AuditSettings) {}

  plan(
    inode: Inode,
    isDir: boolean,
    policy: EntryPolicy,
    searchNeeded: readonly number[],
    nlink: number,
    underDefaultAcl: boolean,
  ): EntryPlan {
    if (inode.acl || inode.defaultAcl || (inode.type === 'file' && nlink > 1)) {
      return planEntry(inode, isDir, policy, this.settings, searchNeeded, nlink, underDefaultAcl);
    }
    let plans = this.byPolicy.get(policy);
    if (!plans) this.byPolicy.set(policy, (plans = new Map()));
    const key = `${inode.type} ${inode.mode} ${inode.uid} ${inode.gid} ${underDefaultAcl ? 'a' : '-'} ${searchNeeded.join(',')}`;
    let plan = plans.get(key);
    if (!plan) {
      plan = planEntry(inode, isDir, policy, this.settings, searchNeeded, nlink, underDefaultAcl);
      if (plans.size < LIMIT) plans.set(key, plan);
    }
    return plan;
  }
}
