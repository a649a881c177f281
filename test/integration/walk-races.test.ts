import { lstatSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { close, openDirectory } from '../../src/walk/fd.js';
import { openWalkStart } from '../../src/walk/lookup.js';
import { Walker, type WalkVisitor } from '../../src/walk/walker.js';
import { makeTempDir } from '../helpers/tmp.js';

/** A visitor that records what it sees, and lets a test change the tree at a chosen moment. */
function recorder(onEnter: (rel: string) => void = () => {}) {
  const seen: string[] = [];
  const errors: { rel: string; code: string | undefined; message: string }[] = [];
  const visitor: WalkVisitor<string> = {
    enter(dir) {
      seen.push(`dir ${dir.rel}`);
      onEnter(dir.rel);
      return dir.rel;
    },
    entry(entry) {
      seen.push(`${entry.type} ${entry.rel}`);
    },
    leave() {},
    skip: () => false,
    error: (rel, _path, error) => void errors.push({ rel, code: error.code, message: error.message }),
  };
  return { seen, errors, visitor };
}

describe('the walk when the tree changes under it', () => {
  const tmp = makeTempDir('permcheck-races-');
  afterAll(() => tmp.cleanup());

  it('does not enter a directory swapped for a symlink between lstat and open', () => {
    const root = join(tmp.path, 'swap');
    mkdirSync(join(root, 'var'), { recursive: true });
    mkdirSync(join(tmp.path, 'elsewhere'));
    writeFileSync(join(tmp.path, 'elsewhere', 'shadow'), '');
    const fd = openDirectory(root);
    const seen = lstatSync(join(root, 'var'));
    rmSync(join(root, 'var'), { recursive: true });
    symlinkSync(join(tmp.path, 'elsewhere'), join(root, 'var'));
    const opened = Walker.openChecked(fd, 'var', { rel: 'var', dev: seen.dev, ino: seen.ino });
    close(fd);
    expect(typeof opened).not.toBe('number');
    expect((opened as NodeJS.ErrnoException).code).toBe('ERACE');
    expect((opened as Error).message).toBe(
      'var was a directory, then a symlink when permcheck opened it: not entered (the tree changed during the audit)',
    );
  });

  it('does not enter a directory replaced by another directory between lstat and open', () => {
    const root = join(tmp.path, 'replace');
    mkdirSync(join(root, 'var'), { recursive: true });
    mkdirSync(join(root, 'other'));
    const fd = openDirectory(root);
    const seen = lstatSync(join(root, 'var'));
    rmSync(join(root, 'var'), { recursive: true });
    renameSync(join(root, 'other'), join(root, 'var'));
    const opened = Walker.openChecked(fd, 'var', { rel: 'var', dev: seen.dev, ino: seen.ino });
    close(fd);
    expect((opened as Error).message).toMatch(/^var was replaced by another directory between two looks/);
  });

  it('says so when a directory it had to close (a very deep tree) was moved while it was below it', () => {
    const root = join(tmp.path, 'deep');
    const parts = Array.from({ length: 120 }, (_, i) => `d${i}`);
    mkdirSync(join(root, ...parts), { recursive: true });
    writeFileSync(join(root, 'd0', 'after'), '');
    // Deep below it, move d40 away: the walk holds d40 only as "closed to spare descriptors" by then,
    // and must not climb back into whatever now stands at that path.
    const d40 = join(root, ...parts.slice(0, 41));
    const { seen, errors, visitor } = recorder((rel) => {
      if (rel.split('/').length === 110) renameSync(d40, join(tmp.path, 'moved-d40'));
    });
    const walker = new Walker(openWalkStart(root, '/')!, visitor);
    while (walker.step(1000));
    expect(errors).toEqual([
      {
        rel: parts.slice(0, 41).join('/'),
        code: 'ERACE',
        message: `${parts.slice(0, 41).join('/')} was moved or replaced while permcheck was below it: the rest of it is not audited`,
      },
    ]);
    // Everything above it is still walked to the end.
    expect(seen).toContain('file d0/after');
  });

  // The listing says 'var' is a directory, so the walk opens it at once, without an lstat: when it is
  // something else by then, what it is now is reported, and a symlink is never followed.
  it.each([
    ['a symlink to a directory outside', 'symlink var'],
    ['a regular file', 'file var'],
    ['nothing (removed)', undefined],
  ])('reports a directory replaced by %s after it was listed as what it is then', (_what, expected) => {
    const root = join(tmp.path, `listed-${String(expected)}`);
    mkdirSync(join(root, 'var'), { recursive: true });
    mkdirSync(join(tmp.path, `outside-${String(expected)}`));
    writeFileSync(join(tmp.path, `outside-${String(expected)}`, 'shadow'), '');
    const { seen, errors, visitor } = recorder();
    // skip() is asked just before each child is visited: the moment to swap it.
    visitor.skip = (rel) => {
      if (rel !== 'var') return false;
      rmSync(join(root, 'var'), { recursive: true });
      if (expected === 'symlink var') symlinkSync(join(tmp.path, `outside-${String(expected)}`), join(root, 'var'));
      if (expected === 'file var') writeFileSync(join(root, 'var'), '');
      return false;
    };
    const walker = new Walker(openWalkStart(root, '/')!, visitor);
    while (walker.step(50));
    expect(errors).toEqual([]);
    expect(seen).toEqual(['dir .', ...(expected ? [expected] : [])]);
  });

  it('walks a tree deeper than the descriptors it keeps, and visits everything once', () => {
    const root = join(tmp.path, 'deeper');
    const parts = Array.from({ length: 150 }, (_, i) => `d${i}`);
    mkdirSync(join(root, ...parts), { recursive: true });
    for (let i = 1; i <= 150; i += 7) writeFileSync(join(root, ...parts.slice(0, i), 'f'), '');
    const { seen, errors, visitor } = recorder();
    const walker = new Walker(openWalkStart(root, '/')!, visitor);
    while (walker.step(50));
    expect(errors).toEqual([]);
    expect(seen.filter((s) => s.startsWith('dir ')).length).toBe(151);
    expect(seen.filter((s) => s.startsWith('file ')).length).toBe(22);
    expect(walker.entries).toBe(151 + 22);
  });
});
