import type { Inode } from './types.js';
import { ROOT_UID } from './types.js';

/** Someone besides the trusted users who could change an entry, and how. */
export type Writer =
  | { kind: 'owner'; uid: number }
  | { kind: 'group'; gid: number }
  | { kind: 'others' }
  | { kind: 'acl-user'; uid: number }
  | { kind: 'acl-group'; gid: number };

/**
 * Who, besides `trusted` users (root and the user running permcheck), could change this entry: its
 * owner (an owner may always chmod it), a group with write (unless it is root's group), others with
 * write, and ACL entries that grant write within the mask. For a directory, that is who could add,
 * rename or replace what is in it.
 */
export function untrustedWriters(inode: Inode, trusted: ReadonlySet<number>): Writer[] {
  const writers: Writer[] = [];
  if (!trusted.has(inode.uid)) writers.push({ kind: 'owner', uid: inode.uid });
  const groupBits = (inode.mode >> 3) & 7;
  if (inode.acl && groupBits !== 0) {
    if (inode.acl.groupObj & inode.acl.mask & 2 && inode.gid !== ROOT_UID) writers.push({ kind: 'group', gid: inode.gid });
    for (const entry of inode.acl.users)
      if (entry.perm & inode.acl.mask & 2 && !trusted.has(entry.id)) writers.push({ kind: 'acl-user', uid: entry.id });
    for (const entry of inode.acl.groups)
      if (entry.perm & inode.acl.mask & 2 && entry.id !== ROOT_UID) writers.push({ kind: 'acl-group', gid: entry.id });
  } else if (groupBits & 2 && inode.gid !== ROOT_UID) {
    writers.push({ kind: 'group', gid: inode.gid });
  }
  if (inode.mode & 0o002) writers.push({ kind: 'others' });
  return writers;
}

/** "www-data (its owner)", "group www-data", "any local user", "user www-data (ACL)". */
export function writerText(writer: Writer, names: { user(uid: number): string; group(gid: number): string }): string {
  switch (writer.kind) {
    case 'owner':
      return `${names.user(writer.uid)} (its owner)`;
    case 'group':
      return `group ${names.group(writer.gid)}`;
    case 'others':
      return 'any local user';
    case 'acl-user':
      return `user ${names.user(writer.uid)} (an ACL entry)`;
    case 'acl-group':
      return `group ${names.group(writer.gid)} (an ACL entry)`;
  }
}
