import { posix } from 'node:path';
import { untrustedWriters, type Writer } from '../access/writers.js';
import type { Inode, Located } from '../access/types.js';

/**
 * Who, besides the trusted users, could rename or replace the audited root before its fixes are
 * pasted: a writer of any directory the lookup of the root passed through. In a sticky directory
 * (/tmp) only its owner and the owner of the entry inside may rename that entry.
 */
export function rootReplaceableBy(chain: readonly Located[], root: Located, trusted: ReadonlySet<number>): Writer[] {
  const owners = new Map<string, number>(chain.map((dir) => [dir.path, dir.inode.uid]));
  owners.set(root.path, root.inode.uid);
  return chain.flatMap((dir) => {
    if (dir.path === root.path) return [];
    const writers = untrustedWriters(dir.inode, trusted);
    if (!isSticky(dir.inode)) return writers;
    // The entries of the chain that this directory holds: only their own owners may move them.
    const held = [...owners].filter(([path]) => path !== dir.path && posix.dirname(path) === dir.path);
    const heldOwners: Writer[] = held.filter(([, uid]) => !trusted.has(uid)).map(([, uid]) => ({ kind: 'owner', uid }));
    return [...writers.filter((writer) => writer.kind === 'owner'), ...heldOwners];
  });
}

function isSticky(inode: Inode): boolean {
  return (inode.mode & 0o1000) !== 0;
}
