import { MODE_BITS, PERMISSION_BITS, STICKY } from './bits.js';

export type EntryKind = 'file' | 'directory';

/** What open(O_CREAT) and touch, fopen, file_put_contents ask for. */
export const REQUESTED_FILE = 0o666;
/** What mkdir(1) and PHP's mkdir() ask for by default. */
export const REQUESTED_DIRECTORY = 0o777;

export function defaultRequested(kind: EntryKind): number {
  return kind === 'file' ? REQUESTED_FILE : REQUESTED_DIRECTORY;
}

/**
 * The mode a new entry gets: requested & ~umask. The umask only covers the rwx bits. For files,
 * open(2) keeps requested special bits; mkdir(2) on Linux keeps only the sticky bit of the request
 * (setgid on a new directory comes from its parent, never from the request).
 */
export function creationMode(kind: EntryKind, requested: number, umask: number): number {
  const kept = kind === 'file' ? MODE_BITS : PERMISSION_BITS | STICKY;
  return requested & ~(umask & PERMISSION_BITS) & kept;
}
