import { directoryAcls, entryAcl } from './acl-read.js';
import { close, listNames, type Name } from './fd.js';
import { Walker, type WalkCounters, type WalkEntry, type WalkStart } from './walker.js';

export interface PlannedDir<S> {
  entry: WalkEntry;
  state: S;
  /** Open while the audit runs (listed directories); -1 for the frontier, which a worker opens. */
  fd: number;
  /** Its name in its parent, and the parent's descriptor: to open it and to check it is still there. */
  name: Name | undefined;
  parentFd: number | undefined;
  /** It could not be opened (EACCES), or it changed between lstat and open (ERACE). */
  openError?: NodeJS.ErrnoException;
  /** readdir failed: reported after entering, as the walker does. */
  listError?: NodeJS.ErrnoException;
  children: PlannedChild<S>[];
  /** Entries of it that skip() left out: the audit must know its summary does not cover them. */
  skipped: number;
  /** Set on the frontier: the subtree is a job for a worker, its children are not listed here. */
  job?: number;
}

export type PlannedChild<S> =
  PlannedDir<S> | { entry: WalkEntry; file: true; name: Name } | { error: NodeJS.ErrnoException; rel: string; path: string };

export interface WalkPlan<S> {
  root: PlannedDir<S>;
  /** The frontier subtrees, in walk order. */
  jobs: PlannedDir<S>[];
  counters: WalkCounters;
  /** Every descriptor the plan holds open; closed once the last job is done. */
  close(): void;
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
 * List the top of the tree breadth first, in the walk's order, through descriptors as the walker does,
 * until its frontier has enough directories to keep every worker busy; the frontier directories become
 * jobs (a worker opens each through its parent's descriptor, which stays open here). What is listed
 * here is replayed in order by the main thread, so the result is the same as one sequential walk.
 */
export async function planWalk<S>(start: WalkStart, rootState: S, options: PlanOptions<S>): Promise<WalkPlan<S>> {
  const counters: WalkCounters = { entries: 1, aclUnknown: 0, aclUnsupportedDevices: new Set() };
  const open: number[] = [start.fd];
  // The root is checked in its parent at the end too, as the walker checks it (Walker.rootParent).
  const above = start.parent ?? Walker.rootParent(start.entry);
  if (above && !start.parent) open.push(above.fd);
  const top: PlannedDir<S> = {
    entry: start.entry,
    state: rootState,
    fd: start.fd,
    name: above?.name,
    parentFd: above?.fd,
    children: [],
    skipped: 0,
  };
  const plan = (jobs: PlannedDir<S>[]): WalkPlan<S> => ({ root: top, jobs, counters, close: () => open.forEach(close) });
  let level: PlannedDir<S>[] = [top];
  for (let depth = 0; level.length > 0; depth++) {
    if (depth > 0 && (depth >= options.maxDepth || level.length >= options.targetJobs)) {
      level.forEach((dir, index) => {
        dir.job = index;
      });
      return plan(level);
    }
    const next: PlannedDir<S>[] = [];
    for (const dir of level) {
      if (dir.fd < 0 && !openPlanned(dir, open, counters)) continue;
      let names: Name[];
      try {
        names = listNames(dir.fd).names;
      } catch (error) {
        dir.listError = error as NodeJS.ErrnoException;
        continue;
      }
      for (const name of names) {
        const rel = Walker.childOf(dir.entry, name).rel;
        if (options.skip(rel, dir.state)) {
          dir.skipped++;
          continue;
        }
        const entry = Walker.statChild(dir.fd, dir.entry, name);
        if (entry === undefined) continue;
        if (entry instanceof Error) {
          dir.children.push({ error: entry, rel, path: Walker.childOf(dir.entry, name).path });
          continue;
        }
        counters.entries++;
        // A huge directory is listed here in one go: let signals in now and then.
        if (counters.entries % 4096 === 0) await options.pause();
        if (entry.type === 'directory') {
          const child: PlannedDir<S> = {
            entry,
            state: options.inside(rel, dir.state),
            fd: -1,
            name,
            parentFd: dir.fd,
            children: [],
            skipped: 0,
          };
          dir.children.push(child);
          next.push(child);
        } else {
          if (entry.type !== 'symlink' && !counters.aclUnsupportedDevices.has(entry.dev)) {
            const acl = entryAcl(dir.fd, name, entry.type === 'file');
            if (acl === 'unknown') counters.aclUnknown++;
            else if (acl) entry.acl = acl;
          }
          dir.children.push({ entry, file: true, name });
        }
      }
    }
    level = next;
  }
  return plan([]);
}

/** Open a planned directory through its parent, as the walker would; false when it cannot be listed. */
function openPlanned<S>(dir: PlannedDir<S>, open: number[], counters: WalkCounters): boolean {
  const opened = Walker.openChecked(dir.parentFd!, dir.name!, dir.entry);
  if (typeof opened !== 'number') {
    dir.openError = opened;
    return false;
  }
  open.push(opened);
  dir.fd = opened;
  const acls = directoryAcls(opened, dir.entry.dev);
  if (!acls.supported) counters.aclUnsupportedDevices.add(dir.entry.dev);
  if (acls.acl) dir.entry.acl = acls.acl;
  if (acls.defaultAcl) dir.entry.defaultAcl = acls.defaultAcl;
  return true;
}
