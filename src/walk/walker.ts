import { lstatSync, readdirSync } from 'node:fs';
import { entryType } from '../access/inode.js';
import type { Inode } from '../access/types.js';
import { MODE_BITS } from '../mode/bits.js';

/** One entry as the walker saw it: lstat, never followed. */
export interface WalkEntry extends Inode {
  /** File system path (absolute, or as the root was given); for display when `raw` is set. */
  path: string;
  /** Relative to the root, POSIX; '.' for the root itself. Invalid UTF-8 shows as U+FFFD. */
  rel: string;
  /**
   * Set when the path is not valid UTF-8 (a name with stray bytes): the real bytes of `path` and
   * of `rel`, which the file system calls and the fix commands must use.
   */
  raw?: { path: Uint8Array; rel: Uint8Array };
  /** Device and inode number: what a later step checks to know it still has the same entry. */
  dev: number;
  ino: number;
  /** Hard links to it: a regular file with more than one may also live outside the tree. */
  nlink: number;
}

/** A directory entry's name: a string, or its bytes when they are not valid UTF-8. */
export type Name = string | { display: string; bytes: Uint8Array };

export interface WalkVisitor<Frame> {
  /** Entering a directory; return its frame, or undefined to skip what is below it. */
  enter(dir: WalkEntry, parent: Frame | undefined): Frame | undefined;
  /** A non-directory inside `parent`. */
  entry(entry: WalkEntry, parent: Frame): void;
  /** Every child of the directory has been visited. */
  leave(frame: Frame, dir: WalkEntry): void;
  /** Whether a child path should be skipped entirely (ignore globs), asked before lstat. */
  skip(rel: string, parent: Frame): boolean;
  /** A directory could not be listed or an entry could not be read; the walk goes on. */
  error(rel: string, path: string, error: NodeJS.ErrnoException, parent: Frame | undefined): void;
}

interface StackItem<Frame> {
  dir: WalkEntry;
  frame: Frame;
  names: Name[];
  next: number;
}

/**
 * Depth-first walk with an explicit stack: readdir (names only, sorted for a stable order) and
 * one lstat per entry. Symlinks are reported, never followed. Work is done in slices so the
 * caller can yield to the event loop (signals, progress, output backpressure) between them.
 */
export type ChildPath = Pick<WalkEntry, 'path' | 'rel' | 'raw'>;

const SLASH = Buffer.from('/');

function compareNames(a: Name, b: Name): number {
  const da = typeof a === 'string' ? a : a.display;
  const db = typeof b === 'string' ? b : b.display;
  if (da !== db) return da < db ? -1 : 1;
  // Two names that only differ in bytes that do not decode: order by the bytes.
  return Buffer.compare(Buffer.from(typeof a === 'string' ? a : a.bytes), Buffer.from(typeof b === 'string' ? b : b.bytes));
}

export class Walker<Frame> {
  private readonly stack: StackItem<Frame>[] = [];
  private started = false;
  entries = 0;

  /**
   * `root`: the path to walk (its rel is '.'), or an entry already stat'ed inside a larger walk
   * (a subtree handed to a worker), entered with `parent` as its parent's frame.
   */
  constructor(
    private readonly root: string | WalkEntry,
    private readonly visitor: WalkVisitor<Frame>,
    private readonly parent?: Frame,
  ) {}

  /** Visit up to `budget` entries; false once the walk is complete. */
  step(budget: number): boolean {
    if (!this.started) {
      this.started = true;
      const root = typeof this.root === 'string' ? this.stat({ path: this.root, rel: '.' }, undefined) : this.root;
      if (!root) return false;
      if (root.type !== 'directory') throw new Error(`walk root ${root.path} is not a directory`);
      if (typeof this.root !== 'string') this.entries++;
      this.push(root, this.parent);
    }
    let visited = 0;
    while (this.stack.length > 0 && visited < budget) {
      const top = this.stack[this.stack.length - 1]!;
      if (top.next >= top.names.length) {
        this.stack.pop();
        this.visitor.leave(top.frame, top.dir);
        continue;
      }
      const name = top.names[top.next++]!;
      const child = Walker.childOf(top.dir, name);
      if (this.visitor.skip(child.rel, top.frame)) continue;
      visited++;
      const entry = this.stat(child, top.frame);
      if (!entry) continue;
      if (entry.type === 'directory') this.push(entry, top.frame);
      else this.visitor.entry(entry, top.frame);
    }
    return this.stack.length > 0;
  }

  /** lstat one entry: what the walk would report for it (undefined when it vanished). */
  static lstat(at: ChildPath): WalkEntry | NodeJS.ErrnoException | undefined {
    try {
      const stats = lstatSync(at.raw ? Buffer.from(at.raw.path) : at.path);
      // Explicit properties, not a spread of `at`: measured, a spread here doubles the time of a
      // million-entry walk (a slower object shape on the hottest path, and far more GC).
      const entry: WalkEntry = {
        path: at.path,
        rel: at.rel,
        type: entryType(stats.mode),
        mode: stats.mode & MODE_BITS,
        uid: stats.uid,
        gid: stats.gid,
        dev: stats.dev,
        ino: stats.ino,
        nlink: stats.nlink,
      };
      if (at.raw) entry.raw = at.raw;
      return entry;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Gone between readdir and lstat (a cache being cleared), or its parent turned into a file.
      if ((code === 'ENOENT' || code === 'ENOTDIR') && at.rel !== '.') return undefined;
      return error as NodeJS.ErrnoException;
    }
  }

  private push(dir: WalkEntry, parent: Frame | undefined): void {
    const frame = this.visitor.enter(dir, parent);
    if (frame === undefined) return;
    const names = Walker.list(dir);
    if (names instanceof Error) this.visitor.error(dir.rel, dir.path, names, frame);
    this.stack.push({ dir, frame, names: names instanceof Error ? [] : names, next: 0 });
  }

  /**
   * A directory's names in the walk's order: plain code-unit order, the same on every machine.
   * Names that are not valid UTF-8 would come back with U+FFFD in them and could not be found
   * again; then the directory is read once more as bytes, and those names keep their bytes.
   * A directory that vanished since it was entered has no names (nothing to report).
   */
  static list(dir: Pick<WalkEntry, 'path' | 'raw'>): Name[] | NodeJS.ErrnoException {
    try {
      const names = dir.raw ? [] : readdirSync(dir.path);
      if (!dir.raw && !names.some((name) => name.includes('\ufffd'))) return names.sort();
      return readdirSync(dir.raw ? Buffer.from(dir.raw.path) : dir.path, { encoding: 'buffer' })
        .map((bytes): Name => {
          const display = bytes.toString('utf8');
          return Buffer.from(display).equals(bytes) ? display : { display, bytes };
        })
        .sort(compareNames);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      return error as NodeJS.ErrnoException;
    }
  }

  /** Where a child of `dir` is: its path and rel, with bytes when either is not valid UTF-8. */
  static childOf(dir: Pick<WalkEntry, 'path' | 'rel' | 'raw'>, name: Name): ChildPath {
    const display = typeof name === 'string' ? name : name.display;
    const path = dir.path === '/' ? `/${display}` : `${dir.path}/${display}`;
    const rel = dir.rel === '.' ? display : `${dir.rel}/${display}`;
    if (typeof name === 'string' && !dir.raw) return { path, rel };
    const bytes = typeof name === 'string' ? Buffer.from(name) : Buffer.from(name.bytes);
    const parentPath = dir.raw ? Buffer.from(dir.raw.path) : Buffer.from(dir.path);
    const parentRel = dir.raw ? Buffer.from(dir.raw.rel) : Buffer.from(dir.rel);
    return {
      path,
      rel,
      raw: {
        path: dir.path === '/' ? Buffer.concat([SLASH, bytes]) : Buffer.concat([parentPath, SLASH, bytes]),
        rel: dir.rel === '.' ? bytes : Buffer.concat([parentRel, SLASH, bytes]),
      },
    };
  }

  private stat(at: ChildPath, parent: Frame | undefined): WalkEntry | undefined {
    const entry = Walker.lstat(at);
    if (entry === undefined) return undefined;
    if (entry instanceof Error) {
      this.visitor.error(at.rel, at.path, entry, parent);
      return undefined;
    }
    this.entries++;
    return entry;
  }
}
