import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { entryType } from '../access/inode.js';
import { native, type Listing } from './native.js';
import { nameOfBytes, sortNames, type Name } from './name.js';

export type { Name } from './name.js';
export type { Listing } from './native.js';

/**
 * Reaching entries through open directories. A path is resolved again at every system call, so a
 * walk that lstat()s "var/x" and later lists "var/x" can be steered elsewhere by a rename or a symlink
 * swap in between. Here every directory is opened once, without following a symlink, checked against
 * what lstat saw, and its children are reached through that descriptor: by openat, statx and
 * getdents64 on it where libc can be called (native.ts), else by the magic link /proc/self/fd/N/NAME,
 * which resolves NAME inside the open directory whatever happens to the path above it.
 */

export const DIRECTORY_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
/** O_PATH (Linux): a descriptor that names an inode without opening it (no FIFO blocks, no device wakes). */
export const O_PATH = 0o10000000;

const SLASH = Buffer.from('/');

/** /proc/self/fd/N or /proc/self/fd/N/NAME, as a string or, for a name that is not UTF-8, as bytes. */
export function at(fd: number, name?: Name): string | Buffer {
  const base = `/proc/self/fd/${fd}`;
  if (name === undefined) return base;
  if (typeof name === 'string') return `${base}/${name}`;
  return Buffer.concat([Buffer.from(base), SLASH, name.bytes]);
}

/** What the walk needs of an lstat: the same fields, from Node's Stats or from statx (native.ts). */
export type EntryStats = Pick<Stats, 'mode' | 'uid' | 'gid' | 'dev' | 'ino' | 'nlink'>;

export const isDirectory = (stats: Pick<Stats, 'mode'>): boolean => entryType(stats.mode) === 'directory';
export const isSymlink = (stats: Pick<Stats, 'mode'>): boolean => entryType(stats.mode) === 'symlink';

/** lstat NAME in the open directory, never following it: the walk's hottest call. */
export function lstatAt(fd: number, name: Name): EntryStats {
  const calls = native();
  return calls ? calls.statAt(fd, name) : lstatSync(at(fd, name));
}

export function readlinkAt(fd: number, name: Name): string {
  return readlinkSync(at(fd, name), 'utf8');
}

/** Open a child directory of an open directory; ELOOP if it is now a symlink, ENOTDIR if not a directory. */
export function openDirectoryAt(fd: number, name: Name): number {
  const calls = native();
  return calls ? calls.openDirectoryAt(fd, name, DIRECTORY_FLAGS) : openSync(at(fd, name), DIRECTORY_FLAGS);
}

/** Open a directory by absolute path, the first step of a lookup (the path's own symlinks are the caller's). */
export function openDirectory(path: string): number {
  return openSync(path, DIRECTORY_FLAGS);
}

export function statFd(fd: number): EntryStats {
  const calls = native();
  return calls ? calls.statFd(fd) : fstatSync(fd);
}

export function close(fd: number): void {
  if (native()?.release(fd)) return;
  try {
    closeSync(fd);
  } catch {
    // Closing cannot fail in a way that matters to an audit.
  }
}

/** Is this still the entry we saw: same device, same inode, still a directory? */
export function sameDirectory(stats: EntryStats, dev: number, ino: number): boolean {
  return isDirectory(stats) && stats.dev === dev && stats.ino === ino;
}

/**
 * A directory's names in the walk's order (name.ts), and which are directories where getdents64 says
 * so (native only). Through /proc, names that are not valid UTF-8 would come back with U+FFFD in them:
 * then the directory is read once more as bytes.
 */
export function listNames(fd: number): Listing {
  const calls = native();
  if (calls) {
    const listing = calls.list(fd);
    sortNames(listing.names);
    return listing;
  }
  const path = at(fd);
  const names = readdirSync(path);
  if (!names.some((name) => name.includes('\ufffd'))) return { names: names.sort(), directories: undefined };
  return { names: sortNames(readdirSync(path, { encoding: 'buffer' }).map(nameOfBytes)), directories: undefined };
}

/** An error the walk raises itself: what changed under it, for the walk-error finding. */
export function raceError(message: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(message);
  error.code = 'ERACE';
  return error;
}
