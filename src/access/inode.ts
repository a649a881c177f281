import type { Stats } from 'node:fs';
import { MODE_BITS } from '../mode/bits.js';
import type { EntryType, Inode } from './types.js';

const S_IFMT = 0o170000;
const TYPES: Record<number, EntryType> = {
  0o100000: 'file',
  0o040000: 'directory',
  0o120000: 'symlink',
  0o010000: 'fifo',
  0o140000: 'socket',
  0o060000: 'block-device',
  0o020000: 'char-device',
};

export function entryType(stMode: number): EntryType {
  return TYPES[stMode & S_IFMT] ?? 'unknown';
}

export function inodeFromStats(stats: Pick<Stats, 'mode' | 'uid' | 'gid'>): Inode {
  return { type: entryType(stats.mode), mode: stats.mode & MODE_BITS, uid: stats.uid, gid: stats.gid };
}
