import { lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import fg from 'fast-glob';
import type { IncludeLoader } from './located.js';

/** Config files are small; a bigger one is not a config file (or not one worth the wait). */
const MAX_FILE_BYTES = 1 << 20;

/**
 * The host's files, read below `root` (/ on a real host, a fixture directory in tests). Paths in
 * and out are the host's own (/etc/...). What this user may not read becomes one note, never an
 * error: discovery is a help, not a requirement.
 */
export class HostFiles {
  private readonly denied = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly notes: string[],
  ) {}

  private local(path: string): string {
    return this.root === '/' ? path : posix.join(this.root, path);
  }

  read(path: string): string | undefined {
    try {
      const local = this.local(path);
      if (statSync(local).size > MAX_FILE_BYTES) return undefined;
      return readFileSync(local, 'utf8');
    } catch (error) {
      this.deny(path, error);
      return undefined;
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

  /** Files matching an absolute glob, sorted as glob(3) sorts them. */
  glob(pattern: string): string[] {
    if (!/[*?[]/.test(pattern)) return this.isFile(pattern) ? [pattern] : [];
    try {
      const found = fg.sync(pattern.replace(/^\/+/, ''), { cwd: this.local('/'), onlyFiles: true, followSymbolicLinks: true, dot: false });
      return found.map((path) => `/${path}`).sort();
    } catch {
      return [];
    }
  }

  /** Include directives: a glob, a file, or (Apache) a directory, whose files are read in order. */
  readonly include: IncludeLoader = (pattern) => {
    const paths = this.isDirectory(pattern) ? this.glob(`${pattern.replace(/\/+$/, '')}/**/*`) : this.glob(pattern);
    return paths.flatMap((file) => {
      const text = this.read(file);
      return text === undefined ? [] : [{ file, text }];
    });
  };

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
