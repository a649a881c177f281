import { lstatSync, readdirSync } from 'node:fs';
import { entryType } from '../access/inode.js';
import type { Inode } from '../access/types.js';
import { MODE_BITS } from '../mode/bits.js';

/** One entry as the walker saw it: lstat, never followed. */
export interface WalkEntry extends Inode {
  /** File system path (absolute, or as the root was given). */
  path: string;
  /** Relative to the root, POSIX; '.' for the root itself. */
  rel: string;
}

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
  names: string[];
  next: number;
}

/**
 * Depth-first walk with an explicit stack: readdir (names only, sorted for a stable order) and
 * one lstat per entry. Symlinks are reported, never followed. Work is done in slices so the
 * caller can yield to the event loop (signals, progress, output backpressure) between them.
 */
export class Walker<Frame> {
  private readonly stack: StackItem<Frame>[] = [];
  private started = false;
  entries = 0;

  constructor(
    private readonly root: string,
    private readonly visitor: WalkVisitor<Frame>,
  ) {}

  /** Visit up to `budget` entries; false once the walk is complete. */
  step(budget: number): boolean {
    if (!this.started) {
      this.started = true;
      const root = this.stat(this.root, '.', undefined);
      if (!root) return false;
      if (root.type !== 'directory') throw new Error(`walk root ${this.root} is not a directory`);
      this.push(root, undefined);
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
      const rel = top.dir.rel === '.' ? name : `${top.dir.rel}/${name}`;
      if (this.visitor.skip(rel, top.frame)) continue;
      visited++;
      const entry = this.stat(top.dir.path === '/' ? `/${name}` : `${top.dir.path}/${name}`, rel, top.frame);
      if (!entry) continue;
      if (entry.type === 'directory') this.push(entry, top.frame);
      else this.visitor.entry(entry, top.frame);
    }
    return this.stack.length > 0;
  }

  private push(dir: WalkEntry, parent: Frame | undefined): void {
    const frame = this.visitor.enter(dir, parent);
    if (frame === undefined) return;
    let names: string[];
    try {
      names = readdirSync(dir.path);
    } catch (error) {
      this.visitor.error(dir.rel, dir.path, error as NodeJS.ErrnoException, frame);
      names = [];
    }
    // Plain code-unit order: stable across runs and machines, independent of locale.
    names.sort();
    this.stack.push({ dir, frame, names, next: 0 });
  }

  private stat(path: string, rel: string, parent: Frame | undefined): WalkEntry | undefined {
    try {
      const stats = lstatSync(path);
      this.entries++;
      return { path, rel, type: entryType(stats.mode), mode: stats.mode & MODE_BITS, uid: stats.uid, gid: stats.gid };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Gone between readdir and lstat (a cache being cleared): nothing to audit.
      if (code === 'ENOENT' && rel !== '.') return undefined;
      this.visitor.error(rel, path, error as NodeJS.ErrnoException, parent);
      return undefined;
    }
  }
}
