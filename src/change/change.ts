import type { Inode } from '../access/types.js';
import { sameAccessAcl } from '../acl/same.js';
import type { AccessAcl, DefaultAcl } from '../acl/types.js';
import { MODE_BITS } from '../mode/bits.js';

/** The owner, group and mode an entry should have. */
export interface Target {
  uid: number;
  gid: number;
  mode: number;
  /** The access ACL to set, for an entry that has one (plan/solve-acl.ts). */
  acl?: AccessAcl | undefined;
}

/** What the plan changes on one entry: plain data, empty parts left out. */
export interface Change {
  uid?: number;
  gid?: number;
  /** The whole new mode (special bits included), set at once: chmod 0640 is the same whatever was there. */
  mode?: number;
  /** The whole new access ACL (setfacl), for an entry that has one; its mask is the new mode's group bits. */
  acl?: AccessAcl;
  /** The whole new default ACL of a directory (setfacl -d): what entries created in it start from. */
  defaultAcl?: DefaultAcl;
}

export function changeOf(inode: Inode, target: Target): Change | undefined {
  const change: Change = {};
  if (target.uid !== inode.uid) change.uid = target.uid;
  if (target.gid !== inode.gid) change.gid = target.gid;
  // chown clears setuid and setgid of a file, so a changed owner is followed by the mode in any case.
  if (
    (target.mode & MODE_BITS) !== (inode.mode & MODE_BITS) ||
    ((change.uid !== undefined || change.gid !== undefined) && inode.mode & 0o6000)
  ) {
    change.mode = target.mode & MODE_BITS;
  }
  if (target.acl && !sameAccessAcl(target.acl, inode.acl)) change.acl = target.acl;
  return Object.keys(change).length === 0 ? undefined : change;
}

/** The entry as it will be once the change is applied. */
export function applyChange(inode: Inode, change: Change | undefined): Inode {
  if (!change) return inode;
  return {
    ...inode,
    uid: change.uid ?? inode.uid,
    gid: change.gid ?? inode.gid,
    mode: change.mode ?? inode.mode,
    acl: change.acl ?? inode.acl,
    defaultAcl: change.defaultAcl ?? inode.defaultAcl,
  };
}
