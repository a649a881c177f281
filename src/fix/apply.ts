import { chmodSync, chownSync, constants, fstatSync, openSync, type Stats } from 'node:fs';
import { entryType } from '../access/inode.js';
import type { EntryType } from '../access/types.js';
import { sameAccessAcl, sameDefaultAcl } from '../acl/same.js';
import type { AccessAcl, DefaultAcl } from '../acl/types.js';
import { MODE_BITS } from '../mode/bits.js';
import { setAccessAcl, setDefaultAcl } from './acl-write.js';
import { at, close, isDirectory, lstatAt, O_PATH, type EntryStats, type Name } from '../walk/fd.js';
import { Walker } from '../walk/walker.js';
import { reopenLevel, spareDescriptors, type ChainLevel } from '../walk/descriptor-chain.js';

/** Owner, group and mode: what fix changes and what its journal keeps. */
export interface Ownership {
  uid: number;
  gid: number;
  mode: number;
  /** The access ACL, where the plan changes it. */
  acl?: AccessAcl | undefined;
  defaultAcl?: DefaultAcl | undefined;
}

/** One change of the plan, with what the entry was when it was planned. */
export interface PlannedChange {
  /** Relative to the root ('.' for the root); its bytes when it is not UTF-8. */
  rel: string;
  raw?: Uint8Array | undefined;
  dev: number;
  ino: number;
  type: EntryType;
  nlink: number;
  before: Ownership;
  after: Ownership;
  /** No one untrusted can change a directory on its path: a shell command may name it (--dry-run). */
  pathSafe?: boolean;
}

export interface Skipped {
  rel: string;
  reason: string;
}

export interface ApplyResult {
  applied: number;
  skipped: Skipped[];
  interrupted: boolean;
}

/**
 * Apply changes to a tree through descriptors, never through a path that could be redirected: from the
 * open root down, each directory is opened without following links and checked (walk/walker.ts
 * openChecked); each entry is looked at through its directory, must still be the very inode the plan saw
 * (device, inode, type, link count) in the state it saw it, and is then opened with O_PATH|O_NOFOLLOW and
 * checked again before chown and chmod act on that descriptor's /proc link. Anything else is skipped and
 * reported, never "fixed": a symlink, another inode, an entry changed meanwhile. Stops between two entries
 * when asked to (Ctrl-C).
 */
export function applyChanges(
  rootFd: number,
  changes: readonly PlannedChange[],
  shouldStop: () => boolean,
  expect: 'before' | 'after' = 'before',
): ApplyResult {
  const result: ApplyResult = { applied: 0, skipped: [], interrupted: false };
  const path = new OpenPath(rootFd);
  const sorted = [...changes].sort((a, b) => compareRel(a, b));
  try {
    for (const change of sorted) {
      if (shouldStop()) {
        result.interrupted = true;
        break;
      }
      const reason = applyOne(path, change, expect);
      if (reason) result.skipped.push({ rel: change.rel, reason });
      else result.applied++;
    }
  } finally {
    path.release();
  }
  return result;
}

function applyOne(path: OpenPath, change: PlannedChange, expect: 'before' | 'after'): string | undefined {
  const from = expect === 'before' ? change.before : change.after;
  const to = expect === 'before' ? change.after : change.before;
  const components = split(change);
  const name = components.pop();
  const dirFd = path.reach(components);
  if (typeof dirFd === 'string') return dirFd;
  // The root itself: its own descriptor.
  let opened: number;
  let stats: Stats;
  try {
    if (name === undefined) {
      opened = openSync(at(dirFd), O_PATH);
    } else {
      const seen = lstatAt(dirFd, name);
      const problem = differs(seen, change, from);
      if (problem) return problem;
      opened = openSync(at(dirFd, name), O_PATH | constants.O_NOFOLLOW);
    }
    stats = fstatSync(opened);
  } catch (error) {
    return `could not be looked at again (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): not changed`;
  }
  try {
    const problem = differs(stats, change, from);
    if (problem) return problem;
    const self = at(opened) as string;
    if (to.uid !== from.uid || to.gid !== from.gid) chownSync(self, to.uid, to.gid);
    if (to.acl && !sameAccessAcl(to.acl, from.acl)) {
      if (change.type !== 'file' && change.type !== 'directory') return `is a ${change.type}: its ACL is not changed`;
      setAccessAcl(self, to.mode, to.acl);
    }
    if (to.defaultAcl && !sameDefaultAcl(to.defaultAcl, from.defaultAcl)) {
      if (change.type !== 'directory') return `is a ${change.type}: only directories have a default ACL`;
      setDefaultAcl(self, to.defaultAcl);
    }
    chmodSync(self, to.mode & MODE_BITS);
    const now = fstatSync(opened);
    if (now.uid !== to.uid || now.gid !== to.gid || (now.mode & MODE_BITS) !== (to.mode & MODE_BITS)) {
      return 'the change did not take (the file system refused part of it)';
    }
    return undefined;
  } catch (error) {
    return `could not be changed: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  } finally {
    close(opened);
  }
}

/** Why the entry is not the one the plan saw, in the state it saw it; undefined when it is. */
function differs(stats: EntryStats, change: PlannedChange, state: Ownership): string | undefined {
  if (stats.dev !== change.dev || stats.ino !== change.ino)
    return 'is another file than the one planned for (moved or replaced since): not changed';
  if (entryType(stats.mode) !== change.type) return `is now a ${entryType(stats.mode)}, not the ${change.type} planned for: not changed`;
  if (stats.nlink !== change.nlink && change.type !== 'directory')
    return 'has gained or lost a hard link since it was planned for: not changed';
  // Its other names may lie outside the tree (an undo journal may still restore what was changed).
  if (change.type !== 'directory' && stats.nlink > 1 && state === change.before)
    return `has ${stats.nlink} hard links, and its other names may lie outside the tree: not changed`;
  if (stats.uid !== state.uid || stats.gid !== state.gid || (stats.mode & MODE_BITS) !== (state.mode & MODE_BITS)) {
    return 'was changed by someone else since it was planned for: not changed';
  }
  return undefined;
}

interface PathLevel extends ChainLevel {
  key: string;
  name: Name;
}

/**
 * The directories from the root down to the current one, each opened and checked; moving to the next
 * path closes what is no longer on the way and opens only what is new. A path deeper than the budget
 * closes its middle and reopens it when needed, as the walk does (walk/descriptor-chain.ts): one
 * descriptor per level made a tree deeper than `ulimit -n` fail with EMFILE.
 */
class OpenPath {
  private readonly stack: PathLevel[] = [];

  constructor(private readonly rootFd: number) {}

  reach(components: readonly Name[]): number | string {
    const keys = components.map(key);
    let common = 0;
    while (common < this.stack.length && common < keys.length && this.stack[common]!.key === keys[common]) common++;
    for (const level of this.stack.splice(common)) if (level.fd >= 0) close(level.fd);
    for (let i = common; i < components.length; i++) {
      const parent = i === 0 ? this.rootFd : this.descriptor(i - 1);
      if (typeof parent === 'string') return parent;
      const rel = keys.slice(0, i + 1).join('/');
      let seen: EntryStats;
      try {
        seen = lstatAt(parent, components[i]!);
      } catch {
        return `${rel} is gone: not changed`;
      }
      if (!isDirectory(seen)) return `${rel} is no longer a directory: not changed`;
      const dir = { rel, dev: seen.dev, ino: seen.ino };
      const opened = Walker.openChecked(parent, components[i]!, dir);
      if (typeof opened !== 'number') return `${opened.message}: not changed`;
      this.stack.push({ key: keys[i]!, name: components[i]!, dir, fd: opened });
      spareDescriptors(this.stack);
    }
    return components.length === 0 ? this.rootFd : this.descriptor(components.length - 1);
  }

  /** The open descriptor of a directory on the path, reopened if it was closed to spare descriptors. */
  private descriptor(index: number): number | string {
    const reopened = this.stack[index]!.fd >= 0 ? this.stack[index]!.fd : reopenLevel(this.stack, index, this.rootFd, Walker.openChecked);
    // The root is always there to start from: undefined cannot come back.
    return typeof reopened === 'object' ? `${reopened.error.message}: not changed` : reopened!;
  }

  release(): void {
    for (const level of this.stack.splice(0)) if (level.fd >= 0) close(level.fd);
  }
}

function key(name: Name): string {
  return typeof name === 'string' ? name : `\0${Buffer.from(name.bytes).toString('hex')}`;
}

function split(change: PlannedChange): Name[] {
  if (change.rel === '.') return [];
  if (!change.raw) return change.rel.split('/');
  const parts: Name[] = [];
  let start = 0;
  const bytes = Buffer.from(change.raw);
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x2f) {
      const part = bytes.subarray(start, i);
      const display = part.toString('utf8');
      parts.push(Buffer.from(display).equals(part) ? display : { display, bytes: Uint8Array.from(part) });
      start = i + 1;
    }
  }
  return parts;
}

/** Parents before children, in a stable order. */
function compareRel(a: PlannedChange, b: PlannedChange): number {
  const ka = a.raw ? Buffer.from(a.raw) : Buffer.from(a.rel);
  const kb = b.raw ? Buffer.from(b.raw) : Buffer.from(b.rel);
  if (a.rel === '.') return -1;
  if (b.rel === '.') return 1;
  return Buffer.compare(ka, kb);
}
