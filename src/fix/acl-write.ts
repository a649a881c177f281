import { closeSync, constants, openSync } from 'node:fs';
import type { AccessAcl, DefaultAcl } from '../acl/types.js';
import { ACCESS_XATTR, DEFAULT_XATTR, encodeAcl, fullAccessAcl } from '../acl/xattr.js';
import { load } from '../walk/acl-read.js';

/**
 * Set an entry's access ACL through a descriptor: `self` is the /proc/self/fd link of an O_PATH
 * descriptor fix has checked, so the open below reaches that very inode whatever happened to its name.
 * fsetxattr needs a real descriptor (not O_PATH); only regular files and directories get here, opened
 * read-only and non-blocking, so nothing is read and no FIFO or device is ever opened. Writing the ACL
 * also sets the mode's owner, group (the mask) and other bits, as setfacl does.
 */
export function setAccessAcl(self: string, mode: number, acl: AccessAcl): void {
  setXattr(self, ACCESS_XATTR, encodeAcl(fullAccessAcl(mode, acl)));
}

/** Set a directory's default ACL, the same way. */
export function setDefaultAcl(self: string, acl: DefaultAcl): void {
  setXattr(self, DEFAULT_XATTR, encodeAcl({ ...acl, users: [...acl.users], groups: [...acl.groups] }));
}

function setXattr(self: string, name: string, value: Uint8Array): void {
  const xattr = load().fd;
  if (!xattr) throw new Error('the ACL binding (fs-native-extensions) is not available');
  const fd = openSync(self, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    xattr.setAttrSync(fd, name, value);
  } finally {
    closeSync(fd);
  }
}
