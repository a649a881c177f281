import { PERMISSION_BITS } from '../mode/bits.js';
import type { AccessAcl, DefaultAcl } from './types.js';

export interface CreatedUnderAcl {
  /** The new entry's permission bits (and whatever special bits the request carried). */
  mode: number;
  acl: AccessAcl | undefined;
  /** New directories inherit the parent's default ACL as their own. */
  defaultAcl: DefaultAcl | undefined;
}

/**
 * A new entry in a directory with a default ACL (fs/posix_acl.c posix_acl_create and
 * posix_acl_create_masq): the umask is NOT applied. The new ACL is the default one with the owner,
 * other and mask entries (the owning group's when there is no mask) ANDed with the requested mode;
 * named entries are copied as they are; the mode is read back from the result.
 */
export function createUnderDefaultAcl(requested: number, isDirectory: boolean, parentDefault: DefaultAcl): CreatedUnderAcl {
  const userObj = parentDefault.userObj & ((requested >> 6) & 7);
  const other = parentDefault.other & (requested & 7);
  let groupObj = parentDefault.groupObj;
  let mask = parentDefault.mask;
  let groupBits: number;
  if (mask !== undefined) {
    mask &= (requested >> 3) & 7;
    groupBits = mask;
  } else {
    groupObj &= (requested >> 3) & 7;
    groupBits = groupObj;
  }
  const mode = (requested & ~PERMISSION_BITS) | (userObj << 6) | (groupBits << 3) | other;
  const extended = mask !== undefined;
  return {
    mode,
    acl: extended ? { groupObj, mask: mask!, users: parentDefault.users, groups: parentDefault.groups } : undefined,
    defaultAcl: isDirectory ? parentDefault : undefined,
  };
}

/**
 * chmod on an entry with an ACL (posix_acl_chmod): the owner and other entries take the new owner and
 * other bits, and the mask, not the owning group's entry, takes the new group bits. So code that chmods
 * 0644 narrows the mask to r-- and named users lose write.
 */
export function chmodAcl(acl: AccessAcl, newMode: number): AccessAcl {
  return { ...acl, mask: (newMode >> 3) & 7 };
}
