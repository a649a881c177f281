import { grouped } from '../text/grouped.js';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { inodeFromStats } from '../access/inode.js';
import type { Names } from '../access/describe.js';
import { joinOr } from '../access/describe.js';
import { untrustedWriters, writerText } from '../access/writers.js';
import { UsageError } from '../errors.js';
import { descriptorAcl } from '../walk/acl-read.js';
import type { Trust } from './trust.js';

export interface TrustedRead {
  /** "config", "magento_umask": how the file is named in messages. */
  what: string;
  /** Who may have written it; needed unless the file is `explicit`. */
  trust?: Trust;
  names?: Names;
  /** Larger files are refused: a config is a few KB; /dev/zero or a planted giant must not fill memory. */
  maxBytes: number;
  /**
   * Named by the user (--config FILE): its owner is not checked, and a symlink given there is followed;
   * it must still be a regular file within the size limit.
   */
  explicit?: boolean;
  /** How to accept this file anyway, said in the refusal ("pass --config FILE to use it anyway"). */
  anyway?: string;
}

const TYPE_NAMES: Record<string, string> = {
  directory: 'a directory',
  fifo: 'a FIFO',
  socket: 'a socket',
  'block-device': 'a block device',
  'char-device': 'a character device',
  symlink: 'a symlink',
};

/**
 * Read a file whose content decides what permcheck does, only if it can be trusted: opened without
 * following a symlink and without blocking (a FIFO cannot hang it), a regular file, small, owned by
 * root or the runner (or a --trust user), and not writable by anyone else. Anything else is an error
 * that names the file and why, and how to trust it on purpose.
 */
export function readTrustedFile(path: string, options: TrustedRead): string {
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY | (options.explicit ? 0 : constants.O_NOFOLLOW);
  let fd: number;
  try {
    fd = openSync(path, flags);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP')
      throw new UsageError(
        `${options.what} ${path} is a symlink: permcheck does not follow links to its own settings; name the file itself`,
      );
    if (code === 'ENOENT') throw new UsageError(`${options.what} ${path} does not exist`);
    if (code === 'EACCES') throw new UsageError(`${options.what} ${path} is not readable by this user`);
    if (code === 'ENXIO') throw new UsageError(`${options.what} ${path} is a socket, not a regular file`);
    throw new UsageError(`${options.what} ${path} cannot be opened: ${(error as Error).message}`);
  }
  try {
    const stats = fstatSync(fd);
    const inode = inodeFromStats(stats);
    if (inode.type !== 'file')
      throw new UsageError(`${options.what} ${path} is ${TYPE_NAMES[inode.type] ?? 'not a regular file'}, not a regular file`);
    if (stats.size > options.maxBytes)
      throw new UsageError(
        `${options.what} ${path} is ${grouped(stats.size)} bytes, more than the ${grouped(options.maxBytes)} permcheck reads`,
      );
    if (!options.explicit) checkTrusted(path, fd, inode, options);
    return readBounded(fd, options, path);
  } finally {
    closeSync(fd);
  }
}

function checkTrusted(path: string, fd: number, inode: ReturnType<typeof inodeFromStats>, read: TrustedRead): void {
  const { trust, names } = read;
  if (!trust || !names) throw new Error(`${read.what} ${path}: a file that is not named on purpose needs a trust to be checked against`);
  const options = { ...read, trust, names };
  // The ACL of the very file we opened, through its descriptor.
  const acl = descriptorAcl(fd);
  if (acl && acl !== 'unknown') inode.acl = acl;
  const writers = untrustedWriters(inode, options.trust.uids);
  if (writers.length === 0) return;
  const who = writers.map((writer) => writerText(writer, options.names)).join(', ');
  const runner = options.trust.runnerUid === 0 ? [] : [`you (${options.names.user(options.trust.runnerUid)})`];
  const trusted = joinOr(['root', ...runner, ...options.trust.named]);
  throw new UsageError(
    `${options.what} ${path} can be changed by ${who}, not only by ${trusted}: whoever wrote it would decide what permcheck reports. ` +
      `Check it, then ${[
        ...(options.anyway ? [options.anyway] : []),
        ...(writers[0]!.kind === 'owner' ? [`pass --trust ${options.names.user((writers[0] as { uid: number }).uid)}`] : []),
      ].join(', or ')}` +
      '.',
  );
}

function readBounded(fd: number, options: TrustedRead, path: string): string {
  const buffer = Buffer.alloc(options.maxBytes + 1);
  let length = 0;
  for (;;) {
    const read = readSync(fd, buffer, length, buffer.length - length, null);
    if (read === 0) break;
    length += read;
    if (length > options.maxBytes)
      throw new UsageError(`${options.what} ${path} is larger than the ${grouped(options.maxBytes)} bytes permcheck reads`);
  }
  return buffer.subarray(0, length).toString('utf8');
}
