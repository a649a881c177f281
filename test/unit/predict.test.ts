import { describe, expect, it } from 'vitest';
import { predictCreated, type Creator } from '../../src/predict/created.js';
import { lostNames, predictLoss } from '../../src/predict/loss.js';
import { findRemedy } from '../../src/predict/remedy.js';
import { DEFAULT_CREATION } from '../../src/predict/model.js';
import { dir } from '../helpers/model.js';

const WWW = 33;
const web = (umask: number): Creator => ({ uid: 33, gid: 33, gids: [33], umask, create: DEFAULT_CREATION });
const deploy = { uid: 1001, gids: [1001, WWW] };
const stranger = { uid: 2002, gids: [2002] };
const root = { uid: 0, gids: [0] };
const octal = (n: number) => n.toString(8).padStart(4, '0');

describe('predictCreated', () => {
  it.each([
    [0o000, '0666', '0777'],
    [0o002, '0664', '0775'],
    [0o007, '0660', '0770'],
    [0o022, '0644', '0755'],
    [0o027, '0640', '0750'],
    [0o077, '0600', '0700'],
  ])('under umask %o: files %s, directories %s, owned by the creator and its group', (umask, file, directory) => {
    const created = predictCreated(web(umask), dir(0o777, 1001, 1001));
    expect(octal(created.file.mode)).toBe(file);
    expect(octal(created.dir.mode)).toBe(directory);
    expect(created.file).toMatchObject({ uid: 33, gid: 33 });
  });

  it("takes a setgid parent's group, and new directories stay setgid", () => {
    const created = predictCreated(web(0o002), dir(0o2770, 1001, 4242));
    expect(created.file).toMatchObject({ gid: 4242, mode: 0o664 });
    expect(created.dir).toMatchObject({ gid: 4242, mode: 0o2775 });
  });

  it('does not inherit the sticky bit', () => {
    expect(predictCreated(web(0o022), dir(0o1777)).dir.mode).toBe(0o755);
  });

  it('applies the umask to requested modes; mkdir drops a requested setgid', () => {
    const creator = { ...web(0o027), create: { file: { request: 0o660 }, directory: { request: 0o2775 } } };
    const created = predictCreated(creator, dir(0o755));
    expect(octal(created.file.mode)).toBe('0640');
    expect(octal(created.dir.mode)).toBe('0750');
  });
});

describe('predictLoss', () => {
  const shared = dir(0o2770, 1001, WWW);

  it('loses nothing with umask 002 in a setgid shared-group directory', () => {
    expect(predictLoss(predictCreated(web(0o002), shared), shared, deploy, true)).toBe(0);
  });

  it('loses write and create-inside under 022, but can still delete (the directory is writable)', () => {
    expect(lostNames(predictLoss(predictCreated(web(0o022), shared), shared, deploy, true))).toEqual(['write', 'create-inside']);
  });

  it('loses even reading under 027 without a shared group, and 077 locks out the group', () => {
    const plain = dir(0o777, 1001, 1001);
    expect(lostNames(predictLoss(predictCreated(web(0o027), plain), plain, stranger, true))).toEqual(['read', 'write', 'create-inside']);
    expect(lostNames(predictLoss(predictCreated(web(0o077), shared), shared, deploy, false))).toEqual(['read']);
  });

  it('only asks a read role to read', () => {
    expect(predictLoss(predictCreated(web(0o022), shared), shared, deploy, false)).toBe(0);
  });

  it('cannot delete in a sticky directory it does not own; the directory owner can', () => {
    const tmp = dir(0o3777, 0, WWW);
    expect(lostNames(predictLoss(predictCreated(web(0o000), tmp), tmp, deploy, true))).toEqual(['delete']);
    const owned = dir(0o3777, 1001, WWW);
    expect(predictLoss(predictCreated(web(0o000), owned), owned, deploy, true)).toBe(0);
  });

  it('never takes anything from root', () => {
    expect(predictLoss(predictCreated(web(0o077), shared), shared, root, true)).toBe(0);
  });
});

describe('findRemedy', () => {
  it('proposes opening the group bits of the umask when the role is already in the group', () => {
    expect(findRemedy({ creator: web(0o022), user: deploy, writes: true, parent: dir(0o2770, 1001, WWW) })).toEqual([
      { kind: 'umask', umask: 0o002 },
    ]);
  });

  it('proposes a shared group with setgid when new entries would get the wrong group', () => {
    const creator = { ...web(0o002), gids: [33, 5000] };
    const user = { uid: 1001, gids: [1001, 5000] };
    expect(findRemedy({ creator, user, writes: true, parent: dir(0o775, 1001, 1001) })).toEqual([
      { kind: 'shared-group', gid: 5000, umask: undefined },
    ]);
    expect(findRemedy({ creator: { ...creator, umask: 0o022 }, user, writes: true, parent: dir(0o775, 1001, 1001) })).toEqual([
      { kind: 'shared-group', gid: 5000, umask: 0o002 },
    ]);
  });

  it('falls back to default ACLs when the two share no group', () => {
    expect(findRemedy({ creator: web(0o022), user: stranger, writes: true, parent: dir(0o777, 0, 0) })).toEqual([{ kind: 'acl' }]);
  });

  it('drops the sticky bit first when only that keeps the role from deleting', () => {
    expect(findRemedy({ creator: web(0o002), user: deploy, writes: true, parent: dir(0o3770, 0, WWW) })).toEqual([{ kind: 'unsticky' }]);
  });
});
