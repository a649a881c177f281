import { UsageError } from '../errors.js';
import type { WalkEntry } from '../walk/walker.js';
import { displayName, fromText, type ByteString } from './names.js';
import { ArchiveTree, DIRECTORY, IMPLIED, KINDS, NONE, NOT_UTF8, ROOT, SYMLINK } from './tree.js';

/** A walk entry read from an archive: what lstat would say once it is unpacked, and a bit more. */
export interface ArchiveEntry extends WalkEntry {
  /** Only a parent of other entries: its mode and owner are the implied default, not the archive's. */
  implied: boolean;
  /** The owner's and group's names in the header ('' when it had none). */
  uname: string;
  gname: string;
  /** A symlink's target as stored (never followed); undefined for the rest. */
  target: string | undefined;
}

/** Where an entry is: display path and rel, and their bytes when either is not valid UTF-8. */
export type Place = Pick<WalkEntry, 'path' | 'rel' | 'raw'>;

/** Kernel's limit on symlinks followed in one lookup (MAXSYMLINKS). */
const MAX_SYMLINKS = 40;

export function archiveEntry(tree: ArchiveTree, id: number, at: Place): ArchiveEntry {
  const target = tree.targets.get(id);
  const entry: ArchiveEntry = {
    path: at.path,
    rel: at.rel,
    type: KINDS[tree.kind[id]!]!,
    mode: tree.mode[id]!,
    uid: tree.uid[id]!,
    gid: tree.gid[id]!,
    // No device: an archive entry is never the same file as one on disk.
    dev: 0,
    ino: tree.inode[id]! + 1,
    nlink: tree.nlink(id),
    implied: (tree.flags[id]! & IMPLIED) !== 0,
    uname: tree.strings.at(tree.uname[id]!),
    gname: tree.strings.at(tree.gname[id]!),
    target: target === undefined ? undefined : displayName(target),
  };
  if (at.raw) entry.raw = at.raw;
  return entry;
}

/** How an entry's archive path shows: `release.tar:var/x`, `image.tar:/var/x`, `release.tar:.`. */
export function displayPath(tree: ArchiveTree, path: ByteString): string {
  if (tree.absolute) return `${tree.label}:/${displayName(path)}`;
  return `${tree.label}:${path === '' ? '.' : displayName(path)}`;
}

/** The place of an entry named by its archive path; `rel` is what the walk calls it. */
export function placeOf(tree: ArchiveTree, id: number, rel: string): Place {
  const path = tree.pathOf(id);
  const place: Place = { path: displayPath(tree, path), rel };
  if (hasInvalidName(tree, id)) {
    const prefix = tree.absolute ? `${tree.label}:/` : `${tree.label}:`;
    place.raw = { path: Buffer.concat([Buffer.from(prefix), Buffer.from(path, 'latin1')]), rel: Buffer.from(rel) };
  }
  return place;
}

function hasInvalidName(tree: ArchiveTree, id: number): boolean {
  for (let at = id; at !== ROOT && at !== NONE; at = tree.parent[at]!) if (tree.flags[at]! & NOT_UTF8) return true;
  return false;
}

/**
 * The entry a path names inside the tree, symlinks followed as the kernel would inside a chroot
 * at the tree's root (an absolute target starts from the root, '..' stops there): an archive's
 * symlink never reaches the host. NONE when nothing is there.
 */
export function resolveInTree(tree: ArchiveTree, path: string, options: { followLast?: boolean } = {}): number {
  const followLast = options.followLast ?? true;
  let parts = fromText(path).split('/');
  let id = ROOT;
  let followed = 0;
  while (parts.length > 0) {
    const part = parts.shift()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (id !== ROOT) id = tree.parent[id]!;
      continue;
    }
    if (tree.kind[id] !== DIRECTORY) return NONE;
    const child = tree.child(id, part);
    if (child === NONE) return NONE;
    if (tree.kind[child] === SYMLINK && (followLast || parts.some((p) => p !== '' && p !== '.'))) {
      if (++followed > MAX_SYMLINKS) throw new UsageError(`${tree.label}: too many levels of symbolic links in ${path}`);
      const target = tree.targets.get(child) ?? '';
      if (target.startsWith('/')) id = ROOT;
      parts = [...target.split('/'), ...parts];
      continue;
    }
    id = child;
  }
  return id;
}
