import { describe, expect, it } from 'vitest';
import { deleteDenial } from '../../src/access/delete.js';
import { effectiveAccess } from '../../src/access/effective.js';
import { accessClass, permits } from '../../src/access/permission.js';
import { firstBlocker } from '../../src/access/traversal.js';
import { OTHERS } from '../../src/access/types.js';
import { dir, factsFor, file, names } from '../helpers/model.js';

const R = 4;
const W = 2;
const X = 1;
const deploy = { uid: 1001, gids: [1001, 33] };
const web = { uid: 33, gids: [33] };
const root = { uid: 0, gids: [0] };

describe('class selection is exclusive', () => {
  it('uses only the owner bits for the owner, even when group bits would allow', () => {
    const entry = file(0o044, 1001, 33); // ---r--r--
    expect(accessClass(entry, deploy)).toBe('owner');
    expect(permits(entry, deploy, R)).toBe(false);
    expect(permits(entry, web, R)).toBe(true);
  });

  it('uses only the group bits for a group member, even when other bits would allow', () => {
    const entry = file(0o604, 1001, 33); // rw----r--
    expect(accessClass(entry, web)).toBe('group');
    expect(permits(entry, web, R)).toBe(false);
    expect(permits(entry, OTHERS, R)).toBe(true);
  });

  it('counts supplementary groups', () => {
    const entry = file(0o660, 1000, 33);
    expect(accessClass(entry, deploy)).toBe('group');
    expect(permits(entry, deploy, R | W)).toBe(true);
  });

  it('puts a role with an empty group list in the other class', () => {
    const lonely = { uid: 5000, gids: [] };
    expect(accessClass(file(0o640, 1001, 5000), lonely)).toBe('other');
    expect(permits(file(0o640, 1001, 5000), lonely, R)).toBe(false);
  });

  it('ignores setuid, setgid and sticky bits when checking rwx', () => {
    expect(permits(dir(0o2750, 1001, 33), web, R | X)).toBe(true);
    expect(permits(dir(0o1770, 1001, 33), web, W | X)).toBe(true);
    expect(permits(file(0o4750, 1001, 33), web, X)).toBe(true);
    expect(permits(file(0o2640, 1001, 33), web, W)).toBe(false);
  });

  it('never matches others by owner or group', () => {
    expect(accessClass(file(0o777, 0, 0), OTHERS)).toBe('other');
  });
});

describe('root', () => {
  it('reads and writes anything and enters any directory', () => {
    expect(permits(file(0o000, 1001, 1001), root, R | W)).toBe(true);
    expect(permits(dir(0o000, 1001, 1001), root, R | W | X)).toBe(true);
  });

  it('executes a file only if some x bit is set', () => {
    expect(permits(file(0o644), root, X)).toBe(false);
    expect(permits(file(0o001, 1001), root, X)).toBe(true);
    expect(permits(file(0o4000, 1001), root, X)).toBe(false);
  });
});

describe('traversal', () => {
  it('finds a 0700 directory three levels up, whatever the entry allows', () => {
    const chain = factsFor([dir(0o755), dir(0o700, 1001, 33), dir(0o777)], file(0o666)).chain;
    expect(firstBlocker(chain, web)?.path).toBe('/d0/d1');
    expect(firstBlocker(chain, deploy)).toBeUndefined();
    expect(firstBlocker(chain, root)).toBeUndefined();
  });

  it('lets search-only (--x) directories through', () => {
    expect(firstBlocker(factsFor([dir(0o711, 1001, 1001)], file(0o644)).chain, web)).toBeUndefined();
  });
});

describe('delete', () => {
  it('needs w and x on the parent, not on the entry', () => {
    expect(deleteDenial(file(0o000, 1001), dir(0o773, 1001, 33), web)).toBeUndefined();
    expect(deleteDenial(file(0o666, 33, 33), dir(0o755, 1001, 33), web)).toBe('parent');
    expect(deleteDenial(file(0o666, 33, 33), dir(0o763, 1001, 33), web)).toBe('parent'); // w without x
  });

  it('in a sticky parent lets only the entry owner, the parent owner or root delete', () => {
    const tmp = dir(0o1777, 1001, 1001);
    expect(deleteDenial(file(0o666, 1001), tmp, web)).toBe('sticky');
    expect(deleteDenial(file(0o644, 33), tmp, web)).toBeUndefined();
    expect(deleteDenial(file(0o644, 33), tmp, deploy)).toBeUndefined(); // parent's owner
    expect(deleteDenial(file(0o644, 33), tmp, root)).toBeUndefined();
    expect(deleteDenial(file(0o644, 33), tmp, OTHERS)).toBe('sticky');
  });
});

describe('effectiveAccess', () => {
  it('denies everything below a blocking directory and names it', () => {
    const verdict = effectiveAccess(factsFor([dir(0o700, 1001, 33)], file(0o666, 33, 33)), 'web', web, names);
    expect(verdict).toMatchObject({ read: false, write: false, execute: false, delete: false, class: 'owner', blockedBy: '/d0' });
    expect(verdict.reasons).toEqual([
      'web cannot reach /d0/leaf (nor delete it): it cannot enter /d0 (drwx------ u1001:g33): web is in group g33, group has no x',
    ]);
  });

  it('explains a class denial', () => {
    const verdict = effectiveAccess(factsFor([dir(0o2750, 1001, 33)], file(0o640, 1001, 33)), 'web', web, names);
    expect(verdict).toMatchObject({ read: true, write: false, execute: false, delete: false, class: 'group' });
    expect(verdict.reasons[0]).toBe('web cannot write /d0/leaf (-rw-r----- u1001:g33): web is in group g33, group has no w');
    expect(verdict.reasons[1]).toMatch(
      /^web cannot delete \/d0\/leaf: that needs write and enter on \/d0 \(drwxr-s--- u1001:g33\); web is in group g33, group has no w$/,
    );
  });

  it('explains a sticky denial', () => {
    const verdict = effectiveAccess(factsFor([dir(0o1777, 0, 0)], file(0o666, 1001, 1001)), 'web', web, names);
    expect(verdict.delete).toBe(false);
    expect(verdict.write).toBe(true);
    expect(verdict.reasons.join('\n')).toMatch(/is sticky, so only the entry's owner \(u1001\), the directory's owner \(u0\) or root may/);
  });

  it('notes a directory with w but no x', () => {
    const verdict = effectiveAccess(factsFor([dir(0o755)], dir(0o760, 1001, 33)), 'web', web, names);
    expect(verdict).toMatchObject({ read: true, write: true, execute: false });
    expect(verdict.reasons.join('\n')).toContain('cannot create or delete entries in it without x');
  });

  it('says root cannot delete /', () => {
    const verdict = effectiveAccess(
      { path: '/', target: dir(0o755), entry: dir(0o755), parent: undefined, chain: [], entryChain: [] },
      'cli',
      root,
      names,
    );
    expect(verdict).toMatchObject({ read: true, write: true, execute: true, delete: false, class: 'root' });
  });

  it('gives root everything but executing a file without x', () => {
    const verdict = effectiveAccess(factsFor([dir(0o700, 1001)], file(0o600, 1001)), 'admin', root, names);
    expect(verdict).toMatchObject({ read: true, write: true, execute: false, delete: true, class: 'root', reasons: [] });
  });
});
