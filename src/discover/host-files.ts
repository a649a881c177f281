import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  realpathSync,
  statSync,
  type Stats,
} from 'node:fs';
import { posix } from 'node:path';
import { inodeFromStats } from '../access/inode.js';
import type { Inode } from '../access/types.js';
import { untrustedWriters, type Writer } from '../access/writers.js';
import { descriptorAcl } from '../walk/acl-read.js';
import { segmentMatcher } from './glob-segment.js';
import type { IncludeLoader } from './located.js';

/** Config files are small; a bigger one is not a config file (or not one worth the wait). */
const MAX_FILE_BYTES = 1 << 20;

/** Includes that match themselves multiply at every level: stop following them after this many files. */
const MAX_INCLUDED_FILES = 2000;

/** A file's text, and who owns it and could change it. */
export interface OwnedText {
  text: string;
  /** What was read: its type, mode, owner, group and access ACL. */
  inode: Inode;
  /** The owner of the name itself, when it is a symlink. */
  linkUid: number | undefined;
}

/**
 * The host's files, read below `root` (/ on a real host, a fixture directory in tests). Paths in
 * and out are the host's own (/etc/...). What this user may not read becomes one note, never an
 * error: discovery is a help, not a requirement.
 */
export class HostFiles {
  private readonly denied = new Set<string>();
  private included = 0;

  constructor(
    private readonly root: string,
    private readonly notes: string[],
  ) {}

  private local(path: string): string {
    return this.root === '/' ? path : posix.join(this.root, path);
  }

  read(path: string): string | undefined {
    return this.opened(path, (fd, stat) => readBounded(fd, stat.size));
  }

  /**
   * As read, with who owns what was read and who else could change it: for a file that decides
   * something only when no one but root wrote it. The inode is the descriptor's (what was read),
   * with its access ACL where one could grant write; a symlink's own owner is given apart (cron
   * wants root to own both).
   */
  readOwned(path: string): OwnedText | undefined {
    let linkUid: number | undefined;
    try {
      const link = lstatSync(this.local(path));
      if (link.isSymbolicLink()) linkUid = link.uid;
    } catch {
      // Gone or unreadable: the open below says which.
    }
    return this.opened(path, (fd, stat) => {
      const text = readBounded(fd, stat.size);
      if (text === undefined) return undefined;
      const inode = inodeFromStats(stat);
      // With an ACL the group bits are its mask, which caps every named entry: without a w there,
      // no entry grants write, and the ACL bindings (tens of ms to load) are not needed.
      if (stat.mode & 0o020) {
        const acl = descriptorAcl(fd);
        if (acl && acl !== 'unknown') inode.acl = acl;
      }
      return { text, inode, linkUid };
    });
  }

  /** A regular file of at most MAX_FILE_BYTES, opened and handed over with its fstat; undefined for anything else. */
  private opened<T>(path: string, use: (fd: number, stat: Stats) => T | undefined): T | undefined {
    let fd: number;
    try {
      // Opened before it is looked at, without blocking: a stat() and then a read by name would let
      // whoever can write the directory swap in a FIFO between the two, and open(2) of a FIFO waits
      // for a writer forever. What is checked is what was opened.
      fd = openSync(this.local(path), constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    } catch (error) {
      this.deny(path, error);
      return undefined;
    }
    try {
      const stat = fstatSync(fd);
      // Never a FIFO or a device: reading one could hang.
      if (!stat.isFile() || stat.size > MAX_FILE_BYTES) return undefined;
      return use(fd, stat);
    } catch (error) {
      this.deny(path, error);
      return undefined;
    } finally {
      closeSync(fd);
    }
  }

  /** Entry names of a directory, sorted; undefined when it cannot be listed. */
  list(dir: string): string[] | undefined {
    try {
      return readdirSync(this.local(dir)).sort();
    } catch (error) {
      this.deny(dir, error);
      return undefined;
    }
  }

  isFile(path: string): boolean {
    try {
      return statSync(this.local(path)).isFile();
    } catch {
      return false;
    }
  }

  isDirectory(path: string): boolean {
    try {
      return statSync(this.local(path)).isDirectory();
    } catch {
      return false;
    }
  }

  /** The path with every symlink resolved, within the root; the path itself when it does not exist. */
  realpath(path: string): string {
    try {
      const real = realpathSync(this.local(path));
      if (this.root === '/') return real;
      const relative = posix.relative(this.root, real);
      return relative.startsWith('..') ? path : `/${relative}`;
    } catch {
      return path;
    }
  }

  readlink(path: string): string | undefined {
    try {
      return lstatSync(this.local(path)).isSymbolicLink() ? readlinkSync(this.local(path)) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Files matching an absolute glob (`*`, `?`, `[...]` within a segment), sorted as glob(3)
   * sorts them. Segment by segment with readdir: config includes are shallow, and this is many
   * times cheaper than a general glob library for the twenty includes of an Apache tree.
   */
  glob(pattern: string): string[] {
    let paths = ['/'];
    const segments = pattern.split('/').filter(Boolean);
    for (const [index, segment] of segments.entries()) {
      const last = index === segments.length - 1;
      const next: string[] = [];
      for (const dir of paths) {
        if (!/[*?[]/.test(segment)) {
          next.push(posix.join(dir, segment));
          continue;
        }
        const match = segmentMatcher(segment);
        for (const name of this.list(dir) ?? []) if (match(name)) next.push(posix.join(dir, name));
      }
      paths = last ? next : next.filter((path) => this.isDirectory(path));
    }
    return paths.filter((path) => this.isFile(path)).sort();
  }

  /** Every file below a directory, in lexical order (Apache's Include of a directory). */
  private filesBelow(dir: string, depth = 0): string[] {
    if (depth > 8) return [];
    return (this.list(dir) ?? []).flatMap((name) => {
      const path = posix.join(dir, name);
      return this.isDirectory(path) ? this.filesBelow(path, depth + 1) : this.isFile(path) ? [path] : [];
    });
  }

  /**
   * As read, only for a file that no one besides root (or the runner) can change: one that decides a
   * role (a pool, a site, a supervisor program). Another is one note, and decides nothing.
   */
  readTrusted(path: string): string | undefined {
    const owned = this.readOwned(path);
    if (owned === undefined) return undefined;
    const why = whoElseCanChange(owned);
    if (why === undefined) return owned.text;
    this.notes.push(`ignored ${path}: ${why}, so what it says decides nothing`);
    return undefined;
  }

  /** Include directives, each file read as readTrusted reads it. */
  readonly trustedInclude: IncludeLoader = (pattern) => this.includeWith(pattern, (file) => this.readTrusted(file));

  /** Include directives: a glob, a file, or (Apache) a directory, whose files are read in order. */
  readonly include: IncludeLoader = (pattern) => this.includeWith(pattern, (file) => this.read(file));

  private includeWith(pattern: string, read: (file: string) => string | undefined): ReturnType<IncludeLoader> {
    const paths = this.isDirectory(pattern) ? this.filesBelow(pattern) : this.glob(pattern);
    if (this.included + paths.length > MAX_INCLUDED_FILES) {
      if (this.included <= MAX_INCLUDED_FILES)
        this.notes.push(`stopped following includes after ${MAX_INCLUDED_FILES} files (at ${pattern}): do they include themselves?`);
      this.included = MAX_INCLUDED_FILES + 1;
      return [];
    }
    this.included += paths.length;
    return paths.flatMap((file) => {
      const text = read(file);
      return text === undefined ? [] : [{ file, text }];
    });
  }

  private deny(path: string, error: unknown): void {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM') return;
    const dir = posix.dirname(path);
    if (this.denied.has(path) || this.denied.has(dir)) return;
    this.denied.add(path);
    this.notes.push(
      `cannot read ${path} as uid ${process.getuid?.() ?? '?'} (permission denied): what it holds is not known; run as root to include it`,
    );
  }
}

/** At most MAX_FILE_BYTES of an open regular file, sized by fstat; one that grows past the limit while read is not read. */
function readBounded(fd: number, size: number): string | undefined {
  let buffer = Buffer.allocUnsafe(size + 1);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length > MAX_FILE_BYTES) return undefined;
      const bigger = Buffer.allocUnsafe(Math.min(buffer.length * 2, MAX_FILE_BYTES + 1));
      buffer.copy(bigger, 0, 0, length);
      buffer = bigger;
    }
    const read = readSync(fd, buffer, length, buffer.length - length, null);
    if (read === 0) break;
    length += read;
  }
  return length > MAX_FILE_BYTES ? undefined : buffer.toString('utf8', 0, length);
}

/**
 * Who besides root could change a host file that decides a role (a system crontab, a php-fpm
 * configuration a master names), in words; undefined when no one. Its lines name the user each job or
 * pool runs as, so whoever can change it decides every role it could give. cron
 * itself runs these files only when root owns them (a symlink and its target) and neither group nor
 * others can write them; ACL entries that grant write count too. Files of the user running permcheck
 * are its own: a fixture host, or a host where it is not root.
 */
export function whoElseCanChange(file: OwnedText): string | undefined {
  const trusted = new Set([0, process.getuid?.() ?? 0]);
  const writers = untrustedWriters(file.inode, trusted).map(writerText);
  if (file.linkUid !== undefined && !trusted.has(file.linkUid)) writers.unshift(`uid ${file.linkUid} (owner of the symlink)`);
  return writers.length === 0 ? undefined : `${writers.join(', ')} can change it`;
}

function writerText(writer: Writer): string {
  switch (writer.kind) {
    case 'owner':
      return `uid ${writer.uid} (its owner)`;
    case 'group':
      return `group ${writer.gid}`;
    case 'others':
      return 'any local user';
    case 'acl-user':
      return `uid ${writer.uid} (an ACL entry)`;
    case 'acl-group':
      return `group ${writer.gid} (an ACL entry)`;
  }
}
