import { archiveEntry, placeOf, resolveInTree, type ArchiveEntry } from './entry.js';
import { displayName } from './names.js';
import { ArchiveTree, NONE } from './tree.js';
import { auditRoot } from './walk.js';

/**
 * The directories above the audited root, top first ('.' or '/' down to the root's parent), as
 * the archive has them. `implied` ones are not in the archive: only the default stands there.
 * Their rel is their path in the archive ('var/www' in a tar, '/var/www' in an image).
 */
export function archiveAncestors(tree: ArchiveTree, rootRel: string): ArchiveEntry[] {
  const chain: number[] = [];
  for (let id = tree.parent[auditRoot(tree, rootRel)]!; id !== NONE; id = tree.parent[id]!) chain.push(id);
  return chain.reverse().map((id) => archiveEntry(tree, id, placeOf(tree, id, archivePath(tree, id))));
}

/**
 * The entry at a path in the archive (a marker file such as bin/magento), or undefined. Symlinks
 * are followed inside the archive, as stat would after unpacking, unless `follow` is false.
 */
export function archiveLookup(tree: ArchiveTree, path: string, options: { follow?: boolean } = {}): ArchiveEntry | undefined {
  const id = resolveInTree(tree, path, { followLast: options.follow ?? true });
  return id === NONE ? undefined : archiveEntry(tree, id, placeOf(tree, id, archivePath(tree, id)));
}

function archivePath(tree: ArchiveTree, id: number): string {
  const path = displayName(tree.pathOf(id));
  return tree.absolute ? `/${path}` : path === '' ? '.' : path;
}
