import { DEFAULT_MAX_ENTRIES, TreeBuilder } from './builder.js';
import { openInput, type ArchiveInput } from './source.js';
import { readTar } from './tar-reader.js';
import { ArchiveTree, DIRECTORY, FILE, NONE, ROOT } from './tree.js';

export interface ReadOptions {
  /** Refuse archives with more entries than this (default 20 million): memory stays bounded. */
  maxEntries?: number;
}

/**
 * The tree a tar archive (.tar, .tar.gz, .tar.zst, or a stream on stdin for `-`) unpacks to,
 * read in one streaming pass: nothing is extracted, nothing is written, contents flow through.
 * Unreadable input is a UsageError naming the archive and what is wrong.
 */
export async function readArchive(input: ArchiveInput, options: ReadOptions = {}): Promise<ArchiveTree> {
  const { chunks, label } = openInput(input);
  const builder = new TreeBuilder(new ArchiveTree(label, false), options.maxEntries ?? DEFAULT_MAX_ENTRIES);
  await readTar(chunks, label, builder.tree.notes, (record) => builder.add(record));
  const tree = builder.finish();
  tree.looksLikeImage = looksLikeImage(tree);
  return tree;
}

/** `docker save` output and OCI archives: a manifest.json or index.json beside blobs or layer directories. */
function looksLikeImage(tree: ArchiveTree): boolean {
  const file = (name: string) => {
    const id = tree.child(ROOT, name);
    return id !== NONE && tree.kind[id] === FILE;
  };
  const blobs = tree.child(ROOT, 'blobs');
  return (
    (file('manifest.json') || (file('index.json') && file('oci-layout'))) &&
    (file('repositories') || (blobs !== NONE && tree.kind[blobs] === DIRECTORY) || file('oci-layout'))
  );
}
