/**
 * Archives and container images as trees to audit, without unpacking them: read one, then walk
 * it with the same visitor as a directory on disk.
 */
export { readArchive, type ReadOptions } from './read.js';
export { readImage, type ContainerImage, type ImageOptions } from './image.js';
export { ArchiveWalker, walkArchiveTree, auditRoot } from './walk.js';
export { archiveAncestors, archiveLookup } from './lookup.js';
export type { ArchiveEntry } from './entry.js';
export type { ArchiveTree } from './tree.js';
export type { ArchiveInput } from './source.js';
