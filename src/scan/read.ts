import { closeSync, constants, fstatSync, openSync, readlinkSync, readSync } from 'node:fs';
import { isAscii, isUtf8 } from 'node:buffer';
import { isAbsolute } from 'node:path';
import type { ScanNote } from './types.js';

/**
 * Never follow a symlink (it could lead to /etc or a device), never block on a FIFO, never make a
 * terminal ours. The tree may be writable by others while root scans it.
 */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;

export const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;

export type ReadResult = { bytes: Buffer } | { note: ScanNote };

/**
 * Read a regular file whole into `buffer` (reused across files; the result is a view of it, valid
 * until the next read). Anything else is a note: the scan goes on. `seen`: the path is
 * /proc/self/fd/N/NAME of a directory the walk holds open, and the file opened must be the one the
 * walk lstat()ed (same device and inode), not whatever was swapped in since.
 */
export function readSource(
  path: string | Buffer,
  rel: string,
  buffer: Buffer,
  maxBytes: number,
  seen?: { dev: number; ino: number },
): ReadResult {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { note: { file: rel, reason: 'not-regular', message: 'a symbolic link: not followed', code } };
    return { note: { file: rel, reason: 'unreadable', message: `cannot open: ${code ?? String(error)}`, ...(code ? { code } : {}) } };
  }
  try {
    // O_NOFOLLOW guards the last component only: a directory on the way swapped for a symlink (to
    // /etc, another tenant's tree) would lead the open outside. The kernel's name for what was opened
    // must be the very path asked for (absolute, from the real root), or it is not read.
    if (
      !seen &&
      isAbsolute(path.toString()) &&
      !Buffer.from(readlinkSync(`/proc/self/fd/${fd}`, { encoding: 'buffer' })).equals(Buffer.from(path))
    ) {
      return { note: { file: rel, reason: 'unreadable', message: 'reached through a symbolic link or moved while scanned: not read' } };
    }
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { note: { file: rel, reason: 'not-regular', message: 'not a regular file: not read' } };
    if (seen && (stats.dev !== seen.dev || stats.ino !== seen.ino))
      return { note: { file: rel, reason: 'unreadable', message: 'replaced since the walk saw it: not read' } };
    if (stats.size > maxBytes)
      return { note: { file: rel, reason: 'too-large', message: `${stats.size} bytes, over the ${maxBytes}-byte limit: not scanned` } };
    let length = 0;
    // A file that grows while it is read is cut at the size fstat gave.
    while (length < stats.size) {
      const got = readSync(fd, buffer, length, stats.size - length, null);
      if (got === 0) break;
      length += got;
    }
    return { bytes: buffer.subarray(0, length) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { note: { file: rel, reason: 'unreadable', message: `cannot read: ${code ?? String(error)}`, ...(code ? { code } : {}) } };
  } finally {
    closeSync(fd);
  }
}

/** The text of a source: UTF-8, or Latin-1 (every byte one character, so nothing is lost) with a note. */
export function decodeSource(bytes: Buffer, rel: string): { code: string; note?: ScanNote } {
  // Most PHP is ASCII: the same text, without decoding (Latin-1 is a copy). Validating UTF-8 first
  // (simdutf) is many times faster than a fatal TextDecoder.
  if (isAscii(bytes)) return { code: bytes.toString('latin1') };
  if (isUtf8(bytes)) return { code: bytes.toString('utf8') };
  return {
    code: bytes.toString('latin1'),
    note: { file: rel, reason: 'not-utf8', message: 'not valid UTF-8: read as Latin-1 (columns count bytes)' },
  };
}
