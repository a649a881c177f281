import { describe, expect, it } from 'vitest';
import { grants, permits, WRITE_AND_SEARCH } from '../../src/access/permission.js';
import { firstBlocker } from '../../src/access/traversal.js';
import { OTHERS, type Inode, type Principal } from '../../src/access/types.js';
import { EXECUTE, READ, WRITE } from '../../src/mode/bits.js';

/** A small deterministic generator (mulberry32): the same cases on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const UIDS = [0, 10, 11, 12];
const GIDS = [20, 21, 22];

function inodeOf(next: () => number): Inode {
  const pick = <T>(values: readonly T[]) => values[Math.floor(next() * values.length)]!;
  const mode = Math.floor(next() * 0o1000);
  const inode: Inode = { type: next() < 0.5 ? 'directory' : 'file', mode, uid: pick(UIDS.slice(1)), gid: pick(GIDS) };
  if (next() < 0.5) {
    inode.acl = {
      groupObj: Math.floor(next() * 8),
      mask: (mode >> 3) & 7,
      users: next() < 0.5 ? [{ id: pick(UIDS.slice(1)), perm: Math.floor(next() * 8) }] : [],
      groups: next() < 0.5 ? [{ id: pick(GIDS), perm: Math.floor(next() * 8) }] : [],
    };
  }
  return inode;
}

const PRINCIPALS: Principal[] = [
  { uid: 0, gids: [0] },
  { uid: 10, gids: [20] },
  { uid: 11, gids: [21, 22] },
  { uid: 12, gids: [22] },
  OTHERS,
];

/**
 * The audit engine asks grants() once per role and entry (its fast path); access and explain ask
 * permits() (decide(), compared with the kernel in access-kernel*.test.ts). One model: they agree.
 */
describe('what the audit reaches is what access says', () => {
  it('grants() has a bit exactly when permits() allows it, with and without ACLs, for every kind of user', () => {
    const next = random(17);
    for (let i = 0; i < 3000; i++) {
      const inode = inodeOf(next);
      for (const who of PRINCIPALS) {
        const bits = grants(inode, who);
        const says = `${JSON.stringify(inode)} for uid ${who.uid}`;
        for (const bit of [READ, WRITE, EXECUTE]) expect((bits & bit) !== 0, `${says}: bit ${bit}`).toBe(permits(inode, who, bit));
        if (inode.type === 'directory') expect((bits & WRITE_AND_SEARCH) !== 0, `${says}: w+x`).toBe(permits(inode, who, WRITE | EXECUTE));
      }
    }
  });

  it('a role reaches an entry when it may search every directory on the way (firstBlocker)', () => {
    const next = random(29);
    for (let i = 0; i < 500; i++) {
      const chain = Array.from({ length: 4 }, (_, depth) => ({
        path: `/d${depth}`,
        inode: { ...inodeOf(next), type: 'directory' as const },
      }));
      for (const who of PRINCIPALS) {
        // The engine's way: reachable below a directory = reachable to it and it grants x.
        let reachable = true;
        for (const dir of chain) reachable &&= (grants(dir.inode, who) & EXECUTE) !== 0;
        expect(reachable).toBe(firstBlocker(chain, who) === undefined);
      }
    }
  });
});
