import type { AclDecider } from '../acl/evaluate.js';
import { permText } from '../acl/format.js';
import { EXECUTE, READ, symbolicMode, WRITE } from '../mode/bits.js';
import { decide, type AccessClass } from './permission.js';
import type { EntryType, Inode, Located, Principal } from './types.js';

/** uid and gid to names, for messages; the user database implements it. */
export interface Names {
  user(uid: number): string;
  group(gid: number): string;
}

const TYPE_CHAR: Record<EntryType, string> = {
  file: '-',
  directory: 'd',
  symlink: 'l',
  fifo: 'p',
  socket: 's',
  'block-device': 'b',
  'char-device': 'c',
  unknown: '?',
};

/** "drwxr-s--- deploy:www-data", or "-rw-rw-r--+ ..." with an ACL, as ls -l shows it. */
export function describeInode(inode: Inode, names: Names): string {
  const acl = inode.acl || inode.defaultAcl ? '+' : '';
  return `${TYPE_CHAR[inode.type]}${symbolicMode(inode.mode)}${acl} ${names.user(inode.uid)}:${names.group(inode.gid)}`;
}

export function describeLocated(entry: Located, names: Names): string {
  return `${entry.path} (${describeInode(entry.inode, names)})`;
}

/** Why a class applies: "web is in group www-data". */
export function classReason(role: string, cls: AccessClass, inode: Inode, names: Names): string {
  switch (cls) {
    case 'root':
      return `${role} is root`;
    case 'owner':
      return `${role} is the owner (${names.user(inode.uid)})`;
    case 'user':
      return `${role} has its own ACL entry`;
    case 'group':
      return `${role} is in group ${names.group(inode.gid)}`;
    case 'other':
      return role === 'others'
        ? `others are neither the owner (${names.user(inode.uid)}) nor in group ${names.group(inode.gid)}`
        : `${role} is neither the owner (${names.user(inode.uid)}) nor in group ${names.group(inode.gid)}`;
  }
}

/** "group has no w or x". */
export function missingBits(cls: Exclude<AccessClass, 'root'>, missing: number): string {
  const subject = cls === 'other' ? 'others have' : cls === 'user' ? 'its entry has' : `${cls} has`;
  return `${subject} no ${bitLetters(missing)}`;
}

function bitLetters(bits: number): string {
  return joinOr([bits & READ ? 'r' : '', bits & WRITE ? 'w' : '', bits & EXECUTE ? 'x' : ''].filter(Boolean));
}

/**
 * Why `who` may not do `want` here, in words: its class and the bits it lacks, or with an ACL the entry
 * that decided ("web has user:www-data:rwx, effective r-x because of mask::r-x").
 */
export function denialReason(role: string, inode: Inode, who: Principal, want: number, names: Names): string {
  const decision = decide(inode, who, want);
  if (decision.cls === 'root') return `${role} is root, and root executes only files with an x bit`;
  if (decision.acl) return aclReason(role, decision.acl, inode, want, names);
  const bits = decision.cls === 'owner' ? (inode.mode >> 6) & 7 : decision.cls === 'group' ? (inode.mode >> 3) & 7 : inode.mode & 7;
  const reason = `${classReason(role, decision.cls, inode, names)}, ${missingBits(decision.cls, want & ~bits)}`;
  // An ACL with mask::--- is not consulted at all (Linux checks the group bits first): say so.
  return inode.acl ? `${reason} (the ACL's mask is ---, so Linux ignores its named entries)` : reason;
}

/**
 * Why `who` may do `want` here: its class ("web is in group www-data"), or the ACL entry that grants
 * it ("web has user:www-data:rw-").
 */
export function grantReason(role: string, inode: Inode, who: Principal, want: number, names: Names): string {
  const decision = decide(inode, who, want);
  if (decision.acl?.kind === 'user') return `${role} has user:${names.user(decision.acl.entry.id)}:${permText(decision.acl.entry.perm)}`;
  if (decision.acl?.kind === 'group') {
    const { entry, owning } = decision.acl;
    return `${role} is in ${owning ? `group::${permText(entry.perm)} (${names.group(entry.id)})` : `group:${names.group(entry.id)}:${permText(entry.perm)}`}`;
  }
  return classReason(role, decision.cls, inode, names);
}

function aclReason(role: string, decider: AclDecider, inode: Inode, want: number, names: Names): string {
  const masked = (perm: number, mask: number) =>
    (perm & want) === want && (perm & mask & want) !== want
      ? `, effective ${permText(perm & mask)} because of mask::${permText(mask)}`
      : '';
  switch (decider.kind) {
    case 'user':
      return `${role} has user:${names.user(decider.entry.id)}:${permText(decider.entry.perm)}${masked(decider.entry.perm, decider.mask)}${lacks(decider.entry.perm & decider.mask, want)}`;
    case 'group': {
      const entry = decider.owning
        ? `group::${permText(decider.entry.perm)} (${names.group(decider.entry.id)})`
        : `group:${names.group(decider.entry.id)}:${permText(decider.entry.perm)}`;
      return `${role} is in ${entry}${masked(decider.entry.perm, decider.mask)}`;
    }
    case 'groups-deny': {
      const entries = decider.matched.map((m) =>
        m.owning
          ? `group::${permText(m.entry.perm)} (${names.group(m.entry.id)})`
          : `group:${names.group(m.entry.id)}:${permText(m.entry.perm)}`,
      );
      return `${role} matches ${joinOr(entries).replace(/ or /, ' and ')}, none of which has ${bitLetters(want)}, so the other bits are not consulted`;
    }
    case 'other':
      return `${role} matches no ACL entry, and others have no ${bitLetters(want & ~decider.perm)}`;
  }
}

function lacks(effective: number, want: number): string {
  return (effective & want) === want ? '' : ` (no ${bitLetters(want & ~effective)})`;
}

export function joinOr(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/** The verbs for r, w and x on this kind of entry. */
export function verbs(type: EntryType): { read: string; write: string; execute: string } {
  return type === 'directory'
    ? { read: 'list', write: 'write to', execute: 'enter' }
    : { read: 'read', write: 'write', execute: 'execute' };
}
