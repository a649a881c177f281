import { decodeSource, readSource } from '../scan/read.js';
import type { ScanNote } from '../scan/types.js';
import { at, type Name } from '../walk/fd.js';
import type { WalkEntry } from '../walk/walker.js';
import { judgeSecretText, SECRET_READ_BYTES, type SecretContent } from './content.js';

/** How the engine asks what a secret-marked file holds: where the walk found it, if it holds its directory open. */
export type SecretReader = (entry: WalkEntry, dirFd: number | undefined, name: Name | undefined) => SecretContent;

/** One buffer per thread: secrets are read one at a time, and only the few the policy marks. */
let buffer: Buffer | undefined;

/**
 * Read a secret-marked file through the directory descriptor the walk holds (/proc/self/fd/N/NAME):
 * never a symlink, never blocking on a FIFO, only the regular file the walk saw (same dev and inode),
 * at most 64 KiB. What cannot be read this way is a secret by its path, with the reason.
 */
export const readSecretContent: SecretReader = (entry, dirFd, name) => {
  if (dirFd === undefined || name === undefined) return { kind: 'unknown', why: 'not reached through its directory' };
  buffer ??= Buffer.alloc(SECRET_READ_BYTES);
  const read = readSource(at(dirFd, name), entry.rel, buffer, SECRET_READ_BYTES, { dev: entry.dev, ino: entry.ino });
  if ('note' in read) return { kind: 'unknown', why: unread(read.note) };
  const { code, note } = decodeSource(read.bytes, entry.rel);
  if (note) return { kind: 'unknown', why: 'not UTF-8 text' };
  return judgeSecretText(typeof name === 'string' ? name : name.display, code);
};

/** An archive's file contents are not kept: its secrets are secrets by their path. */
export const archiveSecretContent: SecretReader = () => ({ kind: 'unknown', why: 'contents are not read in an archive' });

function unread(note: ScanNote): string {
  if (note.code === 'EACCES' || note.code === 'EPERM') return `this user cannot read it (${note.code})`;
  if (note.code === 'ELOOP') return 'a symbolic link now: not followed';
  if (note.reason === 'too-large') return `larger than ${SECRET_READ_BYTES / 1024} KiB`;
  if (note.reason === 'not-regular') return 'it is no longer a regular file';
  return note.message;
}
