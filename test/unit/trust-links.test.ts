import { describe, expect, it } from 'vitest';
import { untrustedLinks } from '../../src/trust/links.js';
import type { LinkPlace } from '../../src/walk/lookup.js';

const names = { user: (uid: number) => `u${uid}`, group: (gid: number) => `g${gid}` };
const trusted = new Set([0]);
const place = (mode: number, uid: number, gid: number, owner = 0): LinkPlace => ({
  link: '/home/t/www',
  holder: { type: 'directory', mode, uid, gid },
  owner,
});

describe('untrustedLinks: who could point a symlink elsewhere', () => {
  it('nobody, when only root may write the directory holding it', () => {
    expect(untrustedLinks([place(0o755, 0, 0)], trusted, names)).toEqual([]);
    expect(untrustedLinks([place(0o775, 0, 0)], trusted, names)).toEqual([]);
  });

  it("the directory's owner, its group and any local user when they may write it", () => {
    expect(untrustedLinks([place(0o755, 34, 34)], trusted, names)).toEqual([{ link: '/home/t/www', who: ['u34 (its owner)'], user: 34 }]);
    expect(untrustedLinks([place(0o775, 0, 33)], trusted, names)).toEqual([{ link: '/home/t/www', who: ['group g33'], user: undefined }]);
    expect(untrustedLinks([place(0o757, 0, 0)], trusted, names)[0]!.who).toEqual(['any local user']);
  });

  it("in a sticky directory, only its owner and the link's own owner", () => {
    expect(untrustedLinks([place(0o1777, 0, 0, 0)], trusted, names)).toEqual([]);
    expect(untrustedLinks([place(0o1777, 0, 0, 1000)], trusted, names)).toEqual([
      { link: '/home/t/www', who: ["u1000 (the link's owner)"], user: 1000 },
    ]);
  });

  it('the runner and --trust users are trusted like root', () => {
    expect(untrustedLinks([place(0o755, 34, 34)], new Set([0, 34]), names)).toEqual([]);
  });
});
