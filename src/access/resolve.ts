import { lstatSync, readlinkSync } from 'node:fs';
import { dirname, posix, resolve as resolvePosix } from 'node:path';
import { UsageError } from '../errors.js';
import type { PathFacts } from './effective.js';
import { inodeFromStats } from './inode.js';
import type { Located } from './types.js';

/** The kernel gives up after 40 nested links (ELOOP). */
const MAX_SYMLINKS = 40;

export interface SymlinkStep {
  link: string;
  target: string;
}

export interface ResolvedPath extends PathFacts {
  /** The target's real path, after every symlink. */
  resolved: string;
  symlinks: SymlinkStep[];
}

/**
 * Resolve a path the way open(2) does, recording what the kernel consults on the way: each
 * component is looked up in its directory (so that directory needs search permission), symlinks
 * are followed (absolute ones restart at /, relative ones at the link's directory), and '..' in a
 * link target climbs from where the walk really is, not from the text.
 */
export function resolvePath(input: string, cwd: string = process.cwd()): ResolvedPath {
  const absolute = resolvePosix(cwd, input);
  const root: Located = { path: '/', inode: lookup('/', input) };
  const walk = new Walk(root, input);
  const named = walk.follow(root, split(absolute), false);
  const entryChain = [...walk.chain];
  let target = named.entry;
  if (target.inode.type === 'symlink') target = walk.followLink(named.parent!, target).entry;
  return {
    path: absolute,
    target: target.inode,
    entry: named.entry.inode,
    parent: named.parent,
    chain: dedupe(walk.chain),
    entryChain: dedupe(entryChain),
    resolved: target.path,
    symlinks: walk.symlinks,
  };
}

interface Step {
  parent: Located | undefined;
  entry: Located;
}

class Walk {
  readonly chain: Located[] = [];
  readonly symlinks: SymlinkStep[] = [];

  constructor(
    private readonly root: Located,
    private readonly input: string,
  ) {}

  follow(start: Located, components: string[], followLast: boolean): Step {
    let dir = start;
    let step: Step = { parent: start.path === '/' ? undefined : this.located(dirname(start.path)), entry: start };
    const queue = [...components];
    while (queue.length > 0) {
      const name = queue.shift()!;
      const last = queue.length === 0;
      if (dir.inode.type !== 'directory') throw new UsageError(`'${this.input}': ${dir.path} is not a directory`);
      this.chain.push(dir);
      if (name === '.' || name === '..') {
        const next = name === '.' ? dir : this.located(dirname(dir.path));
        step = { parent: next.path === '/' ? undefined : this.located(dirname(next.path)), entry: next };
        dir = next;
        continue;
      }
      const path = posix.join(dir.path, name);
      const entry: Located = { path, inode: lookup(path, this.input) };
      if (entry.inode.type === 'symlink' && (!last || followLast)) {
        const target = this.readLink(path);
        queue.unshift(...split(target));
        if (queue.length === 0) queue.push('.');
        dir = target.startsWith('/') ? this.root : dir;
        continue;
      }
      step = { parent: dir, entry };
      if (!last) dir = entry;
    }
    return step;
  }

  followLink(parent: Located, link: Located): Step {
    const target = this.readLink(link.path);
    const components = split(target);
    return this.follow(target.startsWith('/') ? this.root : parent, components.length ? components : ['.'], true);
  }

  private readLink(path: string): string {
    if (this.symlinks.length >= MAX_SYMLINKS) throw new UsageError(`'${this.input}': too many levels of symbolic links`);
    const target = readlinkSync(path);
    this.symlinks.push({ link: path, target });
    return target;
  }

  private located(path: string): Located {
    return { path, inode: lookup(path, this.input) };
  }
}

function lookup(path: string, input: string): Located['inode'] {
  try {
    return inodeFromStats(lstatSync(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`'${input}': no such file or directory (${path} does not exist)`);
    if (code === 'ENOTDIR') throw new UsageError(`'${input}': ${dirname(path)} is not a directory`);
    if (code === 'EACCES')
      throw new UsageError(`'${input}': permcheck itself may not look up ${path} as this user; run it as root to see everything`);
    if (code === 'ENAMETOOLONG') throw new UsageError(`'${input}': the path is too long`);
    throw error;
  }
}

function split(path: string): string[] {
  return path.split('/').filter((part) => part !== '');
}

/** A lookup may pass the same directory twice (a link back up); the verdict needs each once. */
function dedupe(chain: Located[]): Located[] {
  const seen = new Set<string>();
  return chain.filter((dir) => !seen.has(dir.path) && seen.add(dir.path));
}
