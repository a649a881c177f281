import { aclDecision, type AclDecider } from '../acl/evaluate.js';
import { classBits, EXECUTE, READ, WRITE } from '../mode/bits.js';
import { ROOT_UID, type Inode, type Principal } from './types.js';

/**
 * Which entry of the inode applies to a principal: the owner's bits, a named user's ACL entry, the
 * group class (the owning group, or with an ACL any matching group entry), or the others' bits.
 */
export type AccessClass = 'owner' | 'user' | 'group' | 'other' | 'root';

export interface Decision {
  allowed: boolean;
  cls: AccessClass;
  /** Set when an ACL decided: which entry, and the mask that capped it. */
  acl?: AclDecider;
}

/** Linux consults an ACL only when the inode has one and its group bits (the mask) are not all zero. */
function aclApplies(inode: Inode): boolean {
  return inode.acl !== undefined && (inode.mode & 0o070) !== 0;
}

/**
 * May the principal do all of `want` (4 read, 2 write, 1 execute/search) at once, as the kernel decides
 * it (fs/namei.c acl_permission_check, then generic_permission's capability checks for root)? Only the
 * owner's bits apply to the owner, even when the group or an ACL entry would allow more; an ACL entry
 * must grant every wanted bit by itself.
 */
export function decide(inode: Inode, who: Principal, want: number): Decision {
  if (who.uid === ROOT_UID) return { allowed: rootMay(inode, want), cls: 'root' };
  if (who.uid === inode.uid) return { allowed: (classBits(inode.mode, 'owner') & want) === want, cls: 'owner' };
  if (aclApplies(inode)) {
    const result = aclDecision(inode.acl!, { uid: who.uid, gids: who.gids, fileGid: inode.gid, other: inode.mode & 7 }, want);
    const cls: AccessClass = result.decider.kind === 'user' ? 'user' : result.decider.kind === 'other' ? 'other' : 'group';
    return { allowed: result.allowed, cls, acl: result.decider };
  }
  const cls = who.gids.includes(inode.gid) ? 'group' : 'other';
  return { allowed: (classBits(inode.mode, cls) & want) === want, cls };
}

export function permits(inode: Inode, who: Principal, want: number): boolean {
  return decide(inode, who, want).allowed;
}

/** The class that applies to the principal, whatever it asks (for messages and for fixes). */
export function accessClass(inode: Inode, who: Principal): AccessClass {
  return decide(inode, who, READ).cls;
}

/**
 * The rwx bits (0-7) the principal may use one at a time. Without an ACL these are its class's bits;
 * with one, each bit is asked on its own, since two group entries may each grant a different bit.
 * Operations that need two bits at once (creating in a directory: w and x) ask permits() instead.
 */
export function grantedBits(inode: Inode, who: Principal): number {
  if (who.uid === ROOT_UID) return READ | WRITE | (rootMay(inode, EXECUTE) ? EXECUTE : 0);
  if (who.uid === inode.uid) return classBits(inode.mode, 'owner');
  if (!aclApplies(inode)) return classBits(inode.mode, who.gids.includes(inode.gid) ? 'group' : 'other');
  let bits = 0;
  for (const bit of [READ, WRITE, EXECUTE]) if (decide(inode, who, bit).allowed) bits |= bit;
  return bits;
}

/**
 * Root (CAP_DAC_OVERRIDE) reads and writes anything and searches any directory, but executes a
 * non-directory only if some x bit is set (generic_permission()).
 */
function rootMay(inode: Inode, want: number): boolean {
  if (!(want & EXECUTE)) return true;
  return inode.type === 'directory' || (inode.mode & 0o111) !== 0;
}

/**
 * A fourth bit beside r, w and x in what the engine records per role and entry: may it write AND
 * search the directory at once, which creating, deleting and renaming entries need (may_create). Without
 * an ACL that is just w and x; with one, w and x may come from two entries that each lack the other.
 */
export const WRITE_AND_SEARCH = 8;

/** grantedBits(), plus WRITE_AND_SEARCH for a directory the principal may fill. */
export function grants(inode: Inode, who: Principal): number {
  const bits = grantedBits(inode, who);
  if (inode.type !== 'directory' || (bits & (WRITE | EXECUTE)) !== (WRITE | EXECUTE)) return bits;
  return inode.acl === undefined || permits(inode, who, WRITE | EXECUTE) ? bits | WRITE_AND_SEARCH : bits;
}
