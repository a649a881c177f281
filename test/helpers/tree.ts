import { chmodSync, chownSync, lchownSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface EntrySpec {
  /** Relative to the tree's root, POSIX. */
  path: string;
  type: 'file' | 'dir' | 'symlink';
  mode?: number;
  uid?: number;
  gid?: number;
  /** symlinks only */
  target?: string;
  content?: string;
}

/**
 * Build a tree with real modes and owners (git keeps neither, so fixtures are built in code).
 * Needs root for foreign owners. Owners are set before modes, because chown clears setuid and
 * setgid, and the deepest entries are finished first so no parent mode gets in the way.
 */
export function buildTree(root: string, entries: readonly EntrySpec[]): void {
  mkdirSync(root, { recursive: true });
  const sorted = [...entries].sort((a, b) => depth(a.path) - depth(b.path));
  for (const entry of sorted) {
    const path = join(root, entry.path);
    if (entry.type === 'dir') mkdirSync(path, { recursive: true });
    else if (entry.type === 'file') writeFileSync(path, entry.content ?? '');
    else symlinkSync(entry.target!, path);
  }
  for (const entry of [...sorted].reverse()) {
    const path = join(root, entry.path);
    if (entry.type === 'symlink') {
      if (entry.uid !== undefined) lchownSync(path, entry.uid, entry.gid ?? entry.uid);
      continue;
    }
    if (entry.uid !== undefined) chownSync(path, entry.uid, entry.gid ?? entry.uid);
    chmodSync(path, entry.mode ?? (entry.type === 'dir' ? 0o755 : 0o644));
  }
}

function depth(path: string): number {
  return path.split('/').length;
}

/** A small deterministic PRNG (mulberry32), so a failing tree can be rebuilt from its seed. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

/** Write a file as if `uid` had written it (configs a deploy user keeps in the tree). */
export function writeOwned(path: string, content: string, uid: number, gid: number, mode = 0o640): void {
  writeFileSync(path, content);
  chownSync(path, uid, gid);
  chmodSync(path, mode);
}
