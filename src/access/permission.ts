import { classBits, EXECUTE } from '../mode/bits.js';
import { ROOT_UID, type Inode, type Principal } from './types.js';

export type AccessClass = 'owner' | 'group' | 'other' | 'root';

/**
 * Which class of bits applies: the owner's if the uid matches, else the group's if the file's group
 * is in the group set, else the others'. Exclusive, as in the kernel's acl_permission_check: an
 * owner with --- is denied even when group or other bits would allow.
 */
export function accessClass(inode: Inode, who: Principal): AccessClass {
  if (who.uid === ROOT_UID) return 'root';
  if (who.uid === inode.uid) return 'owner';
  if (who.gids.includes(inode.gid)) return 'group';
  return 'other';
}

/** The rwx bits (0-7) the principal's class gets; root gets what permits() allows it. */
export function grantedBits(inode: Inode, who: Principal): number {
  const cls = accessClass(inode, who);
  if (cls === 'root') return 0b110 | (rootMayExecute(inode) ? EXECUTE : 0);
  return classBits(inode.mode, cls);
}

/**
 * May the principal read (4), write (2) and/or execute or search (1) this entry, ignoring the
 * directories above it? Root (CAP_DAC_OVERRIDE) reads and writes anything and searches any
 * directory, but executes a non-directory only if some x bit is set (generic_permission()).
 */
export function permits(inode: Inode, who: Principal, wanted: number): boolean {
  return (grantedBits(inode, who) & wanted) === wanted;
}

function rootMayExecute(inode: Inode): boolean {
  return inode.type === 'directory' || (inode.mode & 0o111) !== 0;
}
