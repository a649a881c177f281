import type { Names } from '../../src/access/describe.js';
import type { PathFacts } from '../../src/access/effective.js';
import type { EntryType, Inode, Located } from '../../src/access/types.js';

export function inode(type: EntryType, mode: number, uid: number, gid: number): Inode {
  return { type, mode, uid, gid };
}

export const dir = (mode: number, uid = 0, gid = 0) => inode('directory', mode, uid, gid);
export const file = (mode: number, uid = 0, gid = 0) => inode('file', mode, uid, gid);

export const names: Names = { user: (uid) => `u${uid}`, group: (gid) => `g${gid}` };

/** Facts for /a/b/.../leaf: chain is / plus each given directory, the last being the parent. */
export function factsFor(dirs: Inode[], leaf: Inode, leafName = 'leaf'): PathFacts {
  const root: Located = { path: '/', inode: dir(0o755) };
  const chain: Located[] = [root];
  let path = '';
  dirs.forEach((d, i) => {
    path += `/d${i}`;
    chain.push({ path, inode: d });
  });
  return { path: `${path}/${leafName}`, target: leaf, entry: leaf, parent: chain[chain.length - 1], chain, entryChain: chain };
}
