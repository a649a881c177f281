import { EXECUTE, READ, WRITE } from '../mode/bits.js';
import { deleteDenial } from './delete.js';
import { denialReason, describeInode, describeLocated, joinOr, verbs, type Names } from './describe.js';
import { accessClass, grants, WRITE_AND_SEARCH, type AccessClass } from './permission.js';
import { firstBlocker } from './traversal.js';
import type { Inode, Located, Principal } from './types.js';

/** Everything the kernel consults for one path, as plain data (walk/lookup.ts gathers it). */
export interface PathFacts {
  path: string;
  /** What read, write and execute apply to: the entry, or the end of its symlinks. */
  target: Inode;
  /** The last component itself, not followed: what unlink would remove. */
  entry: Inode;
  /** The directory holding the last component; undefined for /. */
  parent: Located | undefined;
  /** Every directory searched to reach the target, in lookup order (symlinks followed). */
  chain: readonly Located[];
  /** Every directory searched to reach the last component itself (up to its parent). */
  entryChain: readonly Located[];
}

export interface Verdict {
  read: boolean;
  write: boolean;
  execute: boolean;
  delete: boolean;
  /** Directories: may it create, delete and rename entries inside (w and x at once)? */
  createInside?: boolean | undefined;
  class: AccessClass;
  blockedBy?: string;
  reasons: string[];
}

/**
 * What a principal may do with a path, as access(2) and unlink(2) would decide for that user:
 * search on every directory on the way, then the one class of bits that applies, then the
 * parent's w+x and sticky rule for deletion. Every denial comes with its reason in words.
 */
export function effectiveAccess(facts: PathFacts, role: string, who: Principal, names: Names): Verdict {
  const cls = accessClass(facts.target, who);
  const blocker = firstBlocker(facts.chain, who);
  const deletion = deleteVerdict(facts, role, who, names);
  const reasons: string[] = [];
  let granted = 0;
  if (blocker) {
    const alsoDelete = deletion?.blocker?.path === blocker.path;
    reasons.push(`${role} cannot reach ${facts.path}${alsoDelete ? ' (nor delete it)' : ''}: ${cannotEnter(role, blocker, who, names)}`);
    if (deletion && !alsoDelete) reasons.push(deletion.reason);
  } else {
    granted = grants(facts.target, who);
    // A non-directory without any x bit is data: nobody executes it, which needs no explaining.
    const relevant = facts.target.type !== 'directory' && (facts.target.mode & 0o111) === 0 ? READ | WRITE : 7;
    const missing = ~granted & relevant;
    if (missing) reasons.push(bitsReason(role, facts, who, missing, names));
    if (facts.target.type === 'directory' && granted & WRITE && !(granted & WRITE_AND_SEARCH)) {
      reasons.push(
        granted & EXECUTE
          ? `${role} may write to and enter ${facts.path}, but no single ACL entry grants both, so it cannot create or delete entries in it`
          : `${role} may write to ${facts.path} but cannot create or delete entries in it without x`,
      );
    }
    if (deletion) reasons.push(deletion.reason);
  }
  return {
    read: (granted & READ) !== 0,
    write: (granted & WRITE) !== 0,
    execute: (granted & EXECUTE) !== 0,
    delete: deletion === undefined,
    class: cls,
    ...(blocker ? { blockedBy: blocker.path } : {}),
    createInside: facts.target.type === 'directory' ? !blocker && (granted & WRITE_AND_SEARCH) !== 0 : undefined,
    reasons,
  };
}

/** "it cannot enter /srv/app/pub (drwx------ deploy:www-data): web is in group www-data, group has no x" */
export function cannotEnter(role: string, dir: Located, who: Principal, names: Names): string {
  // Root searches every directory, so a blocker always has a non-root class.
  return `it cannot enter ${describeLocated(dir, names)}: ${denialReason(role, dir.inode, who, EXECUTE, names)}`;
}

function bitsReason(role: string, facts: PathFacts, who: Principal, missing: number, names: Names): string {
  const verb = verbs(facts.target.type);
  const denied = [missing & READ ? verb.read : '', missing & WRITE ? verb.write : '', missing & EXECUTE ? verb.execute : ''].filter(
    Boolean,
  );
  const subject = `${role} cannot ${joinOr(denied)} ${facts.path} (${describeInode(facts.target, names)})`;
  return `${subject}: ${denialReason(role, facts.target, who, missing, names)}`;
}

interface DeleteDenied {
  reason: string;
  /** Set when the entry cannot even be reached. */
  blocker?: Located;
}

function deleteVerdict(facts: PathFacts, role: string, who: Principal, names: Names): DeleteDenied | undefined {
  const parent = facts.parent;
  if (!parent) return { reason: `${role} cannot delete ${facts.path}: the root directory cannot be removed` };
  const blocker = firstBlocker(facts.entryChain, who);
  if (blocker) return { reason: `${role} cannot delete ${facts.path}: ${cannotEnter(role, blocker, who, names)}`, blocker };
  const denial = deleteDenial(facts.entry, parent.inode, who);
  if (denial === 'parent') {
    return {
      reason: `${role} cannot delete ${facts.path}: that needs write and enter on ${describeLocated(parent, names)}; ${denialReason(role, parent.inode, who, WRITE | EXECUTE, names)}`,
    };
  }
  if (denial === 'sticky') {
    return {
      reason: `${role} cannot delete ${facts.path}: ${describeLocated(parent, names)} is sticky, so only the entry's owner (${names.user(facts.entry.uid)}), the directory's owner (${names.user(parent.inode.uid)}) or root may`,
    };
  }
  return undefined;
}
