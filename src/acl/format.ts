import type { Names } from '../users/names.js';
import type { AccessAcl, DefaultAcl, NamedEntry } from './types.js';

/** "rwx", "r-x" as getfacl prints permissions. */
export function permText(perm: number): string {
  return `${perm & 4 ? 'r' : '-'}${perm & 2 ? 'w' : '-'}${perm & 1 ? 'x' : '-'}`;
}

export interface AclEntryText {
  tag: 'user' | 'group' | 'mask' | 'other';
  /** The name (or id), empty for the owner, owning group, mask and other. */
  qualifier: string;
  perm: number;
}

/** "user:www-data:rwx" */
export function entryText(entry: AclEntryText): string {
  return `${entry.tag}:${entry.qualifier}:${permText(entry.perm)}`;
}

function named(tag: 'user' | 'group', entries: readonly NamedEntry[], name: (id: number) => string): AclEntryText[] {
  return entries.map((e) => ({ tag, qualifier: name(e.id), perm: e.perm }));
}

/** The access ACL as getfacl lists it, owner and other from the mode. */
export function accessAclEntries(mode: number, acl: AccessAcl, names: Names): AclEntryText[] {
  return [
    { tag: 'user', qualifier: '', perm: (mode >> 6) & 7 },
    ...named('user', acl.users, (id) => names.user(id)),
    { tag: 'group', qualifier: '', perm: acl.groupObj },
    ...named('group', acl.groups, (id) => names.group(id)),
    { tag: 'mask', qualifier: '', perm: acl.mask },
    { tag: 'other', qualifier: '', perm: mode & 7 },
  ];
}

export function defaultAclEntries(acl: DefaultAcl, names: Names): AclEntryText[] {
  return [
    { tag: 'user', qualifier: '', perm: acl.userObj },
    ...named('user', acl.users, (id) => names.user(id)),
    { tag: 'group', qualifier: '', perm: acl.groupObj },
    ...named('group', acl.groups, (id) => names.group(id)),
    ...(acl.mask === undefined ? [] : [{ tag: 'mask' as const, qualifier: '', perm: acl.mask }]),
    { tag: 'other', qualifier: '', perm: acl.other },
  ];
}

/** "user:www-data:rwx,group::r-x,mask::rwx", the compact form setfacl -m takes and JSON carries. */
export function aclSpec(entries: readonly AclEntryText[]): string {
  return entries.map(entryText).join(',');
}
