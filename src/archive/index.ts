/**
 * Archives and container images as trees to audit, without unpacking them: read one, then walk
 * it with the same visitor as a directory on disk.
 *
 *   const tree = await readArchive('release.tar.gz');          // or '-' for stdin
 *   walkArchiveTree(tree, '.', engine);                         // the Walker's order and entries
 *   const image = await readImage('shop.tar');                 // docker save, OCI layout, or '-'
 *   walkArchiveTree(image.tree, '/var/www/html', engine);      // image.user: the config's User
 *
 * Names: tree.users / tree.groups (from the headers). Above the root: archiveAncestors().
 * What reading changed or skipped (GNU tar's warnings, in effect): tree.notes.lines().
 * Bad input throws a UsageError naming the archive.
 */
export { readArchive, type ReadOptions } from './read.js';
export { isArtifact, isImageLayout } from './detect.js';
export { readImage, type ContainerImage, type ImageOptions } from './image.js';
export { ArchiveWalker, walkArchiveTree } from './walk.js';
export { archiveAncestors, archiveLookup } from './lookup.js';
export type { ArchiveEntry } from './entry.js';
export type { ArchiveTree } from './tree.js';
export type { ArchiveInput } from './source.js';
