import type { Inode } from '../access/types.js';
import type { EntryPolicy } from '../policy/compile.js';
import type { AuditSettings } from '../rules/contract.js';
import { applyChange, changeOf, type Change } from '../change/change.js';
import { needsOf } from './needs.js';
import { solve } from './solve.js';
import { solveAcl } from './solve-acl.js';
import { extendDefaultAcl } from './default-acl.js';
import { leftovers } from './verify.js';

/** What the plan does with one entry: a change, or why there is none. */
export interface EntryPlan {
  change?: Change;
  /** Why no change is printed although the entry has findings. */
  noFix?: string;
  /** A hard-linked file that must not be changed in place: recursive commands must not reach it either. */
  untouchable: boolean;
}

const NOTHING: EntryPlan = { untouchable: false };

/**
 * Plan one entry: every enabled rule's demand at once (plan/needs.ts), the least change that meets them
 * (plan/solve.ts), checked by running the rules again on the result (plan/verify.ts).
 */
export function planEntry(
  inode: Inode,
  isDir: boolean,
  policy: EntryPolicy,
  settings: AuditSettings,
  searchNeeded: readonly number[],
  nlink: number,
  /** Its directory has a default ACL: the umask says nothing about its mode. */
  underDefaultAcl: boolean,
): EntryPlan {
  if (inode.type === 'symlink') return NOTHING;
  // A regular file with another name may be that name's file too (/etc/passwd linked in while it was
  // writable, or by root long ago): whoever made the link, permcheck does not change it.
  if (inode.type === 'file' && nlink > 1) {
    return {
      untouchable: true,
      noFix: `it has ${nlink} hard links, and its other names may lie outside the tree, so permcheck does not change it (find / -samefile shows them)`,
    };
  }
  const needs = needsOf(inode, isDir, policy, settings, searchNeeded, underDefaultAcl);
  let change: Change | undefined;
  if (inode.acl) {
    const solution = solveAcl(inode, needs, settings);
    if (solution.kind === 'infeasible') return { untouchable: false, noFix: solution.reason };
    change = solution.change;
  } else {
    const solution = solve(inode, needs, settings);
    if (solution.kind === 'infeasible') return { untouchable: false, noFix: solution.reason };
    change = changeOf(inode, solution.target);
  }
  const defaultAcl = extendDefaultAcl(inode, needs, settings);
  if (defaultAcl) change = { ...change, defaultAcl };
  if (!change) return NOTHING;
  const left = leftovers(applyChange(inode, change), isDir, policy, settings, underDefaultAcl);
  if (left.length > 0) {
    const what = left.map((l) => `${l.rule}${l.subject >= 0 ? ` for ${settings.subjects[l.subject]!.name}` : ''}`).join(', ');
    return { untouchable: false, noFix: `permcheck found no change that ends every finding here (${what} would remain); please report it` };
  }
  return { change, untouchable: false };
}
