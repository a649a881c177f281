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
      const root = typeof this.root === 'string' ? this.stat(this.root, '.', undefined) : this.root;
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
      const rel = Walker.childRel(top.dir.rel, name);
      if (this.visitor.skip(rel, top.frame)) continue;
      visited++;
      const entry = this.stat(Walker.child(top.dir.path, name), rel, top.frame);
      if (!entry) continue;
      if (entry.type === 'directory') this.push(entry, top.frame);
      else this.visitor.entry(entry, top.frame);
    }
    return this.stack.length > 0;
  }

  /** lstat one entry: what the walk would report for it (undefined when it vanished or failed). */
  static lstat(path: string, rel: string): WalkEntry | NodeJS.ErrnoException | undefined {
    try {
      const stats = lstatSync(path);
      return { path, rel, type: entryType(stats.mode), mode: stats.mode & MODE_BITS, uid: stats.uid, gid: stats.gid };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && rel !== '.') return undefined;
      return error as NodeJS.ErrnoException;
    }
  }

  private push(dir: WalkEntry, parent: Frame | undefined): void {
    const frame = this.visitor.enter(dir, parent);
    if (frame === undefined) return;
    const names = Walker.list(dir.path);
    if (names instanceof Error) this.visitor.error(dir.rel, dir.path, names, frame);
    this.stack.push({ dir, frame, names: names instanceof Error ? [] : names, next: 0 });
  }

  /** A directory's names in the walk's order: plain code-unit order, the same on every machine. */
  static list(path: string): string[] | NodeJS.ErrnoException {
    try {
      return readdirSync(path).sort();
    } catch (error) {
      return error as NodeJS.ErrnoException;
    }
  }

  /** The path of a child, as every walker in permcheck builds it. */
  static child(dirPath: string, name: string): string {
    return dirPath === '/' ? `/${name}` : `${dirPath}/${name}`;
  }

  /** The rel of a child. */
  static childRel(dirRel: string, name: string): string {
    return dirRel === '.' ? name : `${dirRel}/${name}`;
  }

  private stat(path: string, rel: string, parent: Frame | undefined): WalkEntry | undefined {
    // Gone between readdir and lstat (a cache being cleared): nothing to audit.
    const entry = Walker.lstat(path, rel);
    if (entry === undefined) return undefined;
    if (entry instanceof Error) {
      this.visitor.error(rel, path, entry, parent);
      return undefined;
    }
    this.entries++;
    return entry;
  }
}
