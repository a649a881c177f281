import { EXECUTE, READ, WRITE } from '../mode/bits.js';
import { deleteDenial } from './delete.js';
import { classReason, describeInode, describeLocated, joinOr, missingBits, verbs, type Names } from './describe.js';
import { accessClass, grantedBits, type AccessClass } from './permission.js';
import { firstBlocker } from './traversal.js';
import type { Inode, Located, Principal } from './types.js';

/** Everything the kernel consults for one path, as plain data (see access/resolve.ts). */
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
    const alsoDelete = deletion?.blocker === blocker;
    reasons.push(`${role} cannot reach ${facts.path}${alsoDelete ? ' (nor delete it)' : ''}: ${cannotEnter(role, blocker, who, names)}`);
    if (deletion && !alsoDelete) reasons.push(deletion.reason);
  } else {
    granted = grantedBits(facts.target, who);
    // A non-directory without any x bit is data: nobody executes it, which needs no explaining.
    const relevant = facts.target.type !== 'directory' && (facts.target.mode & 0o111) === 0 ? READ | WRITE : 7;
    const missing = ~granted & relevant;
    if (missing) reasons.push(bitsReason(role, facts, cls, missing, names));
    if (facts.target.type === 'directory' && granted & WRITE && !(granted & EXECUTE)) {
      reasons.push(`${role} may write to ${facts.path} but cannot create or delete entries in it without x`);
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
    reasons,
  };
}

/** "it cannot enter /srv/app/pub (drwx------ deploy:www-data): web is in group www-data, group has no x" */
export function cannotEnter(role: string, dir: Located, who: Principal, names: Names): string {
  const cls = accessClass(dir.inode, who);
  // Root searches every directory, so a blocker always has a non-root class.
  const why = cls === 'root' ? '' : `: ${classReason(role, cls, dir.inode, names)}, ${missingBits(cls, EXECUTE)}`;
  return `it cannot enter ${describeLocated(dir, names)}${why}`;
}

function bitsReason(role: string, facts: PathFacts, cls: AccessClass, missing: number, names: Names): string {
  const verb = verbs(facts.target.type);
  const denied = [missing & READ ? verb.read : '', missing & WRITE ? verb.write : '', missing & EXECUTE ? verb.execute : ''].filter(
    Boolean,
  );
  const subject = `${role} cannot ${joinOr(denied)} ${facts.path} (${describeInode(facts.target, names)})`;
  if (cls === 'root') return `${subject}: root executes only files with an x bit`;
  return `${subject}: ${classReason(role, cls, facts.target, names)}, ${missingBits(cls, missing)}`;
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
    const cls = accessClass(parent.inode, who) as Exclude<AccessClass, 'root'>;
    const missing = ~grantedBits(parent.inode, who) & (WRITE | EXECUTE);
    return {
      reason: `${role} cannot delete ${facts.path}: that needs write and enter on ${describeLocated(parent, names)}; ${classReason(role, cls, parent.inode, names)}, ${missingBits(cls, missing)}`,
    };
  }
  if (denial === 'sticky') {
    return {
      reason: `${role} cannot delete ${facts.path}: ${describeLocated(parent, names)} is sticky, so only the entry's owner (${names.user(facts.entry.uid)}), the directory's owner (${names.user(parent.inode.uid)}) or root may`,
    };
  }
  return undefined;
}
