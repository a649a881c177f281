import { posix } from 'node:path';
import { inodeFromStats } from '../access/inode.js';
import type { PathFacts } from '../access/effective.js';
import type { Inode, Located, SymlinkStep } from '../access/types.js';
import { UsageError } from '../errors.js';
import { directoryAcls, entryAcl } from './acl-read.js';
import { at, close, lstatAt, openDirectory, readlinkAt, statFd, type Name } from './fd.js';
import { openSync } from 'node:fs';
import { DIRECTORY_FLAGS } from './fd.js';
import { Walker, type WalkStart } from './walker.js';

/** The kernel gives up after 40 nested links (ELOOP). */
const MAX_SYMLINKS = 40;

/** Everything the kernel consults for one path (access/effective.ts PathFacts), and where the lookup ended. */
export interface LookedUp extends PathFacts {
  /** The target's real path, after every symlink. */
  resolved: string;
  symlinks: SymlinkStep[];
  /** Where each symlink followed lives: who could have made it, or could replace it. */
  linkPlaces: LinkPlace[];
  /** An open descriptor of the target, when it is a directory and the caller asked to keep it. */
  fd?: number;
  /** The target's device and inode, to check it again later, and its link count. */
  dev: number;
  ino: number;
  nlink: number;
}

/** A symlink the lookup followed, with the directory that holds it and the link's owner. */
export interface LinkPlace {
  link: string;
  holder: Inode;
  owner: number;
}

interface Dir {
  path: string;
  inode: Inode;
  fd: number;
  dev: number;
  ino: number;
  nlink: number;
}

interface Found {
  path: string;
  inode: Inode;
  dev: number;
  ino: number;
  nlink: number;
  /** Set for directories: opened and checked. */
  fd?: number;
}

/**
 * Resolve a path the way open(2) does, through descriptors: each component is looked up in the
 * directory opened before it (so that directory needs search permission, and nothing can swap the path
 * above it meanwhile), directories are opened without following links and checked against lstat,
 * symlinks are followed (absolute ones restart at /, relative ones at the link's directory) and '..'
 * climbs from where the lookup really is, not from the text. ACLs of every directory are read too.
 */
export function lookUp(input: string, cwd: string, options: { keepTargetOpen?: boolean } = {}): LookedUp {
  const absolute = posix.resolve(cwd, input);
  const open: number[] = [];
  const lookup = new Lookup(input, open);
  try {
    const root = lookup.openRoot();
    // Not `absolute`'s components: posix.resolve removes "link/.." from the text, where the kernel
    // follows link first and climbs from its target.
    const named = lookup.follow(root, split(input.startsWith('/') ? input : `${cwd}/${input}`), false);
    const entryChain = [...lookup.chain];
    let target = named.entry;
    if (target.inode.type === 'symlink') {
      lookup.linkPlaces.push({ link: target.path, holder: named.parentDir!.inode, owner: target.inode.uid });
      target = lookup.followLink(named.parentDir!, named.name!).entry;
    }
    const keep = options.keepTargetOpen && target.fd !== undefined ? target.fd : undefined;
    if (keep !== undefined) open.splice(open.indexOf(keep), 1);
    return {
      path: absolute,
      target: target.inode,
      entry: named.entry.inode,
      parent: named.parentDir ? located(named.parentDir) : undefined,
      chain: dedupe(lookup.chain.map(located)),
      entryChain: dedupe(entryChain.map(located)),
      resolved: target.path,
      symlinks: lookup.symlinks,
      linkPlaces: lookup.linkPlaces,
      ...(keep !== undefined ? { fd: keep } : {}),
      dev: target.dev,
      ino: target.ino,
      nlink: target.nlink,
    };
  } finally {
    for (const fd of open) if (fd !== undefined) close(fd);
  }
}

interface Step {
  parentDir: Dir | undefined;
  name: Name | undefined;
  entry: Found;
}

class Lookup {
  readonly chain: Dir[] = [];
  readonly symlinks: SymlinkStep[] = [];
  readonly linkPlaces: LinkPlace[] = [];
  private root: Dir | undefined;

  constructor(
    private readonly input: string,
    /** Every descriptor opened, closed by the caller (the kept target is taken out). */
    private readonly open: number[],
  ) {}

  openRoot(): Dir {
    const fd = this.track(() => openDirectory('/'));
    this.root = this.dirOf('/', fd);
    return this.root;
  }

  follow(start: Dir, components: string[], followLast: boolean): Step {
    let dir = start;
    let step: Step = { parentDir: undefined, name: undefined, entry: dir };
    const queue = [...components];
    while (queue.length > 0) {
      const name = queue.shift()!;
      const last = queue.length === 0;
      this.chain.push(dir);
      if (name === '.' || name === '..') {
        if (name === '..') dir = this.up(dir);
        // The entry is the directory itself; what holds it is its '..', for a delete verdict.
        step = { parentDir: dir.path === '/' ? undefined : this.up(dir), name: posix.basename(dir.path), entry: dir };
        continue;
      }
      const path = posix.join(dir.path, name);
      const found = this.stat(dir, name, path);
      if (found.inode.type === 'symlink' && (!last || followLast)) {
        this.linkPlaces.push({ link: path, holder: dir.inode, owner: found.inode.uid });
        const target = this.readLink(dir, name, path);
        queue.unshift(...split(target));
        if (queue.length === 0) queue.push('.');
        dir = target.startsWith('/') ? this.root! : dir;
        continue;
      }
      step = { parentDir: dir, name, entry: found };
      if (!last) {
        if (found.fd === undefined) throw new UsageError(`'${this.input}': ${path} is not a directory`);
        dir = found as Dir;
      }
    }
    return step;
  }

  followLink(parent: Dir, name: Name): Step {
    const path = posix.join(parent.path, typeof name === 'string' ? name : name.display);
    const target = this.readLink(parent, name, path);
    const components = split(target);
    return this.follow(target.startsWith('/') ? this.root! : parent, components.length ? components : ['.'], true);
  }

  private readLink(dir: Dir, name: Name, path: string): string {
    if (this.symlinks.length >= MAX_SYMLINKS) throw new UsageError(`'${this.input}': too many levels of symbolic links`);
    const target = this.attempt(path, () => readlinkAt(dir.fd, name));
    this.symlinks.push({ link: path, target });
    return target;
  }

  /** lstat a component through its directory; a directory is also opened and checked. */
  private stat(dir: Dir, name: Name, path: string): Found {
    const stats = this.attempt(path, () => lstatAt(dir.fd, name));
    const inode = inodeFromStats(stats);
    if (inode.type !== 'directory') {
      if (inode.type !== 'symlink') {
        const acl = entryAcl(dir.fd, name, inode.type === 'file');
        if (acl && acl !== 'unknown') inode.acl = acl;
      }
      return { path, inode, dev: stats.dev, ino: stats.ino, nlink: stats.nlink };
    }
    const opened = Walker.openChecked(dir.fd, name, { rel: path, dev: stats.dev, ino: stats.ino });
    if (typeof opened !== 'number') {
      if (opened.code === 'ERACE') throw new UsageError(`'${this.input}': ${opened.message}; run permcheck again`);
      // A directory we may not open (no read permission) is still a step on the way; its ACLs are unknown.
      return { path, inode, dev: stats.dev, ino: stats.ino, nlink: stats.nlink };
    }
    this.open.push(opened);
    const acls = directoryAcls(opened);
    if (acls.acl) inode.acl = acls.acl;
    if (acls.defaultAcl) inode.defaultAcl = acls.defaultAcl;
    return { path, inode, dev: stats.dev, ino: stats.ino, nlink: stats.nlink, fd: opened };
  }

  /** The directory above, reached through '..' of the open one (at / it is / itself). */
  private up(dir: Dir): Dir {
    if (dir.path === '/') return dir;
    return this.dirOf(
      posix.dirname(dir.path),
      this.track(() => openSync(`${at(dir.fd)}/..`, DIRECTORY_FLAGS)),
    );
  }

  private dirOf(path: string, fd: number): Dir {
    const stats = statFd(fd);
    const inode = inodeFromStats(stats);
    const acls = directoryAcls(fd);
    if (acls.acl) inode.acl = acls.acl;
    if (acls.defaultAcl) inode.defaultAcl = acls.defaultAcl;
    return { path, inode, fd, dev: stats.dev, ino: stats.ino, nlink: stats.nlink };
  }

  private track(openIt: () => number): number {
    const fd = this.attempt('/', openIt);
    this.open.push(fd);
    return fd;
  }

  private attempt<T>(path: string, action: () => T): T {
    try {
      return action();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new UsageError(`'${this.input}': no such file or directory (${path} does not exist)`);
      if (code === 'ENOTDIR') throw new UsageError(`'${this.input}': ${posix.dirname(path)} is not a directory`);
      if (code === 'EACCES')
        throw new UsageError(`'${this.input}': permcheck itself may not look up ${path} as this user; run it as root to see everything`);
      if (code === 'ENAMETOOLONG') throw new UsageError(`'${this.input}': the path is too long`);
      throw error;
    }
  }
}

function located(found: Found): Located {
  return { path: found.path, inode: found.inode };
}

function split(path: string): string[] {
  return path.split('/').filter((part) => part !== '');
}

/** A lookup may pass the same directory twice (a link back up); the verdict needs each once. */
function dedupe(chain: Located[]): Located[] {
  const seen = new Set<string>();
  return chain.filter((dir) => !seen.has(dir.path) && seen.add(dir.path));
}

/** A directory looked up as open(2) would and opened, ready for a Walker; undefined when not a directory. */
export function openWalkStart(path: string, cwd: string): WalkStart | undefined {
  const found = lookUp(path, cwd, { keepTargetOpen: true });
  if (found.fd === undefined) return undefined;
  return { fd: found.fd, entry: { ...found.target, path: found.resolved, rel: '.', dev: found.dev, ino: found.ino, nlink: found.nlink } };
}
