import { EXECUTE, READ, symbolicMode, WRITE } from '../mode/bits.js';
import type { AccessClass } from './permission.js';
import type { EntryType, Inode, Located } from './types.js';

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

/** "drwxr-s--- deploy:www-data", as ls -l shows it. */
export function describeInode(inode: Inode, names: Names): string {
  return `${TYPE_CHAR[inode.type]}${symbolicMode(inode.mode)} ${names.user(inode.uid)}:${names.group(inode.gid)}`;
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
  const letters = [missing & READ ? 'r' : '', missing & WRITE ? 'w' : '', missing & EXECUTE ? 'x' : ''].filter(Boolean);
  const subject = cls === 'other' ? 'others have' : `${cls} has`;
  return `${subject} no ${joinOr(letters)}`;
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
