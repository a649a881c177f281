import { Walker, type WalkEntry } from './walker.js';

export interface PlannedDir<S> {
  entry: WalkEntry;
  state: S;
  /** readdir failed: reported after entering, as the walker does. */
  listError?: NodeJS.ErrnoException;
  children: PlannedChild<S>[];
  /** Set on the frontier: the subtree is a job for a worker, its children are not listed here. */
  job?: number;
}

export type PlannedChild<S> =
  PlannedDir<S> | { entry: WalkEntry; file: true } | { error: NodeJS.ErrnoException; rel: string; path: string };

export interface WalkPlan<S> {
  root: PlannedDir<S>;
  /** The frontier subtrees, in walk order. */
  jobs: PlannedDir<S>[];
  /** Entries lstat'ed while planning (the jobs' roots included). */
  entries: number;
}

export interface PlanOptions<S> {
  /** State of the entries inside a directory, from its parent's (the policy's reach). */
  inside(dirRel: string, parent: S): S;
  /** Whether an entry is left out (ignore globs), asked before lstat, as the walker does. */
  skip(rel: string, parent: S): boolean;
  /** Stop listing once a level has this many directories... */
  targetJobs: number;
  /** ...or at this depth. */
  maxDepth: number;
  /** Yield to the event loop (long listings stay interruptible). */
  pause(): Promise<void>;
}

/**
 * List the top of the tree breadth first, in the walk's order, until its frontier has enough
 * directories to keep every worker busy; the frontier directories become jobs. What is listed here
 * is replayed in order by the main thread, so the result is the same as one sequential walk.
 */
export async function planWalk<S>(root: WalkEntry, rootState: S, options: PlanOptions<S>): Promise<WalkPlan<S>> {
  const top: PlannedDir<S> = { entry: root, state: rootState, children: [] };
  let level: PlannedDir<S>[] = [top];
  let entries = 1;
  for (let depth = 0; level.length > 0; depth++) {
    if (depth > 0 && (depth >= options.maxDepth || level.length >= options.targetJobs)) {
      level.forEach((dir, index) => (dir.job = index));
      return { root: top, jobs: level, entries };
    }
    const next: PlannedDir<S>[] = [];
    for (const dir of level) {
      const names = Walker.list(dir.entry);
      if (names instanceof Error) {
        dir.listError = names;
        continue;
      }
      for (const name of names) {
        const at = Walker.childOf(dir.entry, name);
        const rel = at.rel;
        if (options.skip(rel, dir.state)) continue;
        const entry = Walker.lstat(at);
        if (entry === undefined) continue;
        if (entry instanceof Error) {
          dir.children.push({ error: entry, rel, path: at.path });
          continue;
        }
        entries++;
        // A huge directory is listed here in one go: let signals in now and then.
        if (entries % 4096 === 0) await options.pause();
        if (entry.type === 'directory') {
          const child: PlannedDir<S> = { entry, state: options.inside(rel, dir.state), children: [] };
          dir.children.push(child);
          next.push(child);
        } else {
          dir.children.push({ entry, file: true });
        }
      }
    }
    level = next;
  }
  return { root: top, jobs: [], entries };
}
