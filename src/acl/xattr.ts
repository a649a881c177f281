import type { AccessAcl, DefaultAcl, NamedEntry } from './types.js';

/** The xattr names the kernel stores ACLs under. */
export const ACCESS_XATTR = 'system.posix_acl_access';
export const DEFAULT_XATTR = 'system.posix_acl_default';

// include/uapi/linux/posix_acl_xattr.h: a u32 version, then 8-byte entries (u16 tag, u16 perm, u32 id), little endian.
const VERSION = 2;
const HEADER = 4;
const ENTRY = 8;
const TAG = { userObj: 0x01, user: 0x02, groupObj: 0x04, group: 0x08, mask: 0x10, other: 0x20 } as const;
const NO_ID = 0xffffffff;

/** Every entry of an ACL, as the kernel keeps it (owner and other included). */
export interface FullAcl {
  userObj: number;
  groupObj: number;
  other: number;
  mask: number | undefined;
  users: NamedEntry[];
  groups: NamedEntry[];
}

export type AclParse = { ok: true; acl: FullAcl } | { ok: false; reason: string };

/** Decode an ACL xattr. Anything the kernel would not have written is reported, never guessed. */
export function decodeAcl(bytes: Uint8Array): AclParse {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < HEADER || (bytes.byteLength - HEADER) % ENTRY !== 0)
    return { ok: false, reason: `bad length ${bytes.byteLength}` };
  const version = view.getUint32(0, true);
  if (version !== VERSION) return { ok: false, reason: `unknown version ${version}` };
  const seen = new Set<number>();
  const acl: FullAcl = { userObj: -1, groupObj: -1, other: -1, mask: undefined, users: [], groups: [] };
  for (let at = HEADER; at < bytes.byteLength; at += ENTRY) {
    const tag = view.getUint16(at, true);
    const perm = view.getUint16(at + 2, true) & 7;
    const id = view.getUint32(at + 4, true);
    if (tag === TAG.user) acl.users.push({ id, perm });
    else if (tag === TAG.group) acl.groups.push({ id, perm });
    else if (seen.has(tag)) return { ok: false, reason: `tag ${tag} twice` };
    else if (tag === TAG.userObj) acl.userObj = perm;
    else if (tag === TAG.groupObj) acl.groupObj = perm;
    else if (tag === TAG.other) acl.other = perm;
    else if (tag === TAG.mask) acl.mask = perm;
    else return { ok: false, reason: `unknown tag ${tag}` };
    seen.add(tag);
  }
  if (acl.userObj < 0 || acl.groupObj < 0 || acl.other < 0) return { ok: false, reason: 'an owner, group or other entry is missing' };
  if ((acl.users.length > 0 || acl.groups.length > 0) && acl.mask === undefined)
    return { ok: false, reason: 'named entries without a mask' };
  acl.users.sort((a, b) => a.id - b.id);
  acl.groups.sort((a, b) => a.id - b.id);
  return { ok: true, acl };
}

/** Encode an ACL the way setfacl writes it: entries in the kernel's order. */
export function encodeAcl(acl: FullAcl): Uint8Array {
  const entries: [number, number, number][] = [
    [TAG.userObj, acl.userObj, NO_ID],
    ...acl.users.map((e): [number, number, number] => [TAG.user, e.perm, e.id]),
    [TAG.groupObj, acl.groupObj, NO_ID],
    ...acl.groups.map((e): [number, number, number] => [TAG.group, e.perm, e.id]),
    ...(acl.mask === undefined ? [] : [[TAG.mask, acl.mask, NO_ID] as [number, number, number]]),
    [TAG.other, acl.other, NO_ID],
  ];
  const bytes = new Uint8Array(HEADER + entries.length * ENTRY);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, VERSION, true);
  entries.forEach(([tag, perm, id], i) => {
    view.setUint16(HEADER + i * ENTRY, tag, true);
    view.setUint16(HEADER + i * ENTRY + 2, perm, true);
    view.setUint32(HEADER + i * ENTRY + 4, id, true);
  });
  return bytes;
}

/** The access ACL beyond the mode, or undefined when it says nothing the mode does not (a minimal ACL). */
export function accessAclOf(full: FullAcl): AccessAcl | undefined {
  if (full.mask === undefined) return undefined;
  return { groupObj: full.groupObj, mask: full.mask, users: full.users, groups: full.groups };
}

export function defaultAclOf(full: FullAcl): DefaultAcl {
  return { userObj: full.userObj, groupObj: full.groupObj, other: full.other, mask: full.mask, users: full.users, groups: full.groups };
}

/** An entry's whole access ACL, owner and other from its mode. */
export function fullAccessAcl(mode: number, acl: AccessAcl): FullAcl {
  return {
    userObj: (mode >> 6) & 7,
    groupObj: acl.groupObj,
    other: mode & 7,
    mask: acl.mask,
    users: [...acl.users],
    groups: [...acl.groups],
  };
}
