import { describe, expect, it } from 'vitest';
import { HARD_LINK, TreeBuilder, type TarRecord } from '../../src/archive/builder.js';
import { archiveLookup } from '../../src/archive/lookup.js';
import { memberPath } from '../../src/archive/names.js';
import { paxRecords } from '../../src/archive/tar-reader.js';
import { ArchiveTree, KINDS } from '../../src/archive/tree.js';
import { UsageError } from '../../src/errors.js';
import { archiveVisits } from '../helpers/visits.js';

const kind = (type: string) => (type === 'link' ? HARD_LINK : KINDS.indexOf(type as never));

function record(name: string, type = 'file', mode = 0o644, more: Partial<TarRecord> = {}): TarRecord {
  return { name, kind: kind(type), mode, uid: 1000, gid: 1000, uname: 'app', gname: 'app', target: undefined, ...more };
}

function build(records: TarRecord[], options: { layers?: TarRecord[][]; max?: number } = {}): ArchiveTree {
  const builder = new TreeBuilder(new ArchiveTree('t.tar', false), options.max);
  for (const r of records) builder.add(r);
  for (const layer of options.layers ?? []) {
    builder.startLayer();
    for (const r of layer) if (r.name.split('/').pop()!.startsWith('.wh.')) builder.whiteout(r.name);
    for (const r of layer) if (!r.name.split('/').pop()!.startsWith('.wh.')) builder.add(r);
  }
  return builder.finish();
}

/** The walk as "rel mode uid nlink" lines, directories and the rest alike. */
function listing(tree: ArchiveTree, root = '.'): string[] {
  return archiveVisits(tree, root)
    .filter((v) => v.startsWith('enter') || v.startsWith('entry'))
    .map((v) => {
      const [, rel, type, mode, owner, links] = v.split(' ');
      return `${JSON.parse(rel!)} ${type} ${mode} ${owner!.split(':')[0]} ${links}`;
    });
}

describe('member names land where GNU tar unpacks them, or nowhere', () => {
  it.each([
    ['a/b', 'a/b', undefined],
    ['./a/b/', 'a/b', undefined],
    ['a/./b//c', 'a/b/c', undefined],
    ['.', '', undefined],
    ['./', '', undefined],
    ['...', '...', undefined],
    ['.hidden/..x', '.hidden/..x', undefined],
    ['/etc/passwd', 'etc/passwd', '/'],
    ['//etc/./passwd', 'etc/passwd', '//'],
    ['/', '', '/'],
  ])('%j -> %j (removed %j)', (name, path, stripped) => {
    expect(memberPath(name)).toEqual({ path, stripped });
  });

  it.each(['..', '../x', '../../x', 'a/../../b', './../x', 'a/..', '/a/../b', 'a/b/../c/'])(
    '%j is refused: it names "..", as GNU tar refuses',
    (name) => {
      expect(memberPath(name)).toBe(undefined);
    },
  );
});

describe('the tree an archive unpacks to', () => {
  it('creates missing parents as implied directories (0755, root) until the archive describes them', () => {
    const tree = build([record('a/b/c.php'), record('a/', 'directory', 0o2770)]);
    expect(listing(tree)).toEqual([
      '. directory 755 0 n3',
      'a directory 2770 1000 n3',
      'a/b directory 755 0 n2',
      'a/b/c.php file 644 1000 n1',
    ]);
    expect(archiveLookup(tree, 'a/b')?.implied).toBe(true);
    expect(archiveLookup(tree, 'a')?.implied).toBe(false);
  });

  it('keeps the last of duplicate entries, as unpacking does, and says so', () => {
    const tree = build([
      record('x.php', 'file', 0o600),
      record('d/', 'directory', 0o700),
      record('d/keep.php'),
      record('x.php', 'file', 0o666),
      record('d/', 'directory', 0o755),
      record('f/', 'directory'),
      record('f/lost.php'),
      record('f', 'file', 0o640),
    ]);
    expect(listing(tree)).toEqual([
      '. directory 755 0 n3',
      'd directory 755 1000 n2',
      'd/keep.php file 644 1000 n1',
      'f file 640 1000 n1',
      'x.php file 666 1000 n1',
    ]);
    expect(tree.notes.lines()).toEqual([
      'duplicate entries: the last one wins, as when the archive is unpacked (3 entries: "x.php", "d", "f")',
    ]);
  });

  it('gives hard links one inode: the target mode and owner, and a link count', () => {
    const tree = build([
      record('a.php', 'file', 0o640),
      record('b.php', 'link', 0o777, { target: 'a.php', uid: 0 }),
      record('c.php', 'link', 0o644, { target: './missing.php' }),
      record('old.php', 'file', 0o600),
      record('old-link.php', 'link', 0, { target: 'old.php' }),
      record('old.php', 'file', 0o644),
    ]);
    expect(listing(tree)).toEqual([
      '. directory 755 0 n2',
      'a.php file 640 1000 n2',
      'b.php file 640 1000 n2',
      'old-link.php file 600 1000 n1',
      'old.php file 644 1000 n1',
    ]);
    expect(archiveLookup(tree, 'a.php')!.ino).toBe(archiveLookup(tree, 'b.php')!.ino);
    expect(tree.notes.lines()).toContain(
      'hard links to an entry that is not in the archive are skipped, as unpacking fails on them (1 entry: "c.php")',
    );
  });

  it('never goes through a symlink: entries below one are skipped', () => {
    const tree = build([record('out', 'symlink', 0o777, { target: '/etc' }), record('out/passwd', 'file', 0o666)]);
    expect(listing(tree)).toEqual(['. directory 755 0 n2', 'out symlink 777 1000 n1']);
    expect(tree.notes.lines()).toEqual([
      'entries below a symlink (never followed) are skipped, as unpacking would refuse them (1 entry: "out/passwd")',
    ]);
    expect(archiveLookup(tree, 'out', { follow: false })?.target).toBe('/etc');
  });

  it('follows symlinks to a root inside the archive, never out of it', () => {
    const tree = build([
      record('srv/app/', 'directory', 0o750),
      record('srv/app/index.php'),
      record('www', 'symlink', 0, { target: 'srv/app' }),
      record('abs', 'symlink', 0, { target: '/srv/../srv/./app' }),
      record('escape', 'symlink', 0, { target: '../../../srv' }),
      record('loop', 'symlink', 0, { target: 'loop' }),
    ]);
    expect(listing(tree, 'www')).toEqual(['. directory 750 1000 n2', 'index.php file 644 1000 n1']);
    expect(listing(tree, 'abs')).toEqual(listing(tree, 'www'));
    expect(listing(tree, 'escape/app')).toEqual(listing(tree, 'www'));
    expect(() => listing(tree, 'loop')).toThrow(new UsageError('t.tar: too many levels of symbolic links in loop'));
    expect(() => listing(tree, 'nothing')).toThrow(new UsageError('t.tar: nothing is not in the archive'));
  });

  it('applies layers: whiteouts hide lower entries, opaque directories everything lower inside them', () => {
    const base = [
      record('app/', 'directory', 0o755),
      record('app/a'),
      record('base', 'file', 0o640),
      record('app/old'),
      record('app/d/', 'directory', 0o755),
      record('app/d/x'),
    ];
    const upper = [
      record('app/.wh.old'),
      record('app/.wh.d'),
      record('app/d/', 'directory', 0o700),
      record('app/d/y'),
      record('app/.wh..wh..opq'),
      record('app/new'),
      record('app/a', 'file', 0o600),
      // A hard link to what a lower layer holds: one inode with it.
      record('app/base-link', 'link', 0, { target: 'base' }),
    ];
    const tree = build(base, { layers: [upper] });
    expect(listing(tree)).toEqual([
      '. directory 755 0 n3',
      'app directory 755 1000 n3',
      'app/a file 600 1000 n1',
      'app/base-link file 640 1000 n2',
      'app/d directory 700 1000 n2',
      'app/d/y file 644 1000 n1',
      'app/new file 644 1000 n1',
      'base file 640 1000 n2',
    ]);
    // Replacing a lower layer's entry is what layers do: no duplicate to report.
    expect(tree.notes.lines()).toEqual([]);
  });

  it('keeps the header names of owners, and notes a uid with two names', () => {
    const tree = build([
      record('a', 'file', 0o644, { uid: 33, uname: 'www-data' }),
      record('b', 'file', 0o644, { uid: 33, uname: 'apache' }),
    ]);
    expect(tree.users.get(33)).toBe('www-data');
    expect(tree.notes.lines()).toEqual(['a uid with more than one name in the headers: the first one is kept (1 entry: "uid 33: apache")']);
  });

  it('stops with a clear error past the entry limit', () => {
    expect(() => build([record('a'), record('b'), record('c')], { max: 3 })).toThrow(
      new UsageError('t.tar: more than 3 entries; permcheck stops here'),
    );
  });

  it('skips names and paths no file system can hold: no nesting without end', () => {
    const tree = build([record(`${'n'.repeat(256)}.php`), record(`${'d/'.repeat(2048)}x.php`), record('ok.php')]);
    expect(listing(tree)).toEqual(['. directory 755 0 n2', 'ok.php file 644 1000 n1']);
    expect(tree.count).toBe(2);
  });

  it('holds a million-entry tree in well under 100 bytes an entry', () => {
    const builder = new TreeBuilder(new ArchiveTree('big.tar', false));
    for (let d = 0; d < 1000; d++) {
      builder.add(record(`vendor/pkg${d}/`, 'directory'));
      for (let f = 0; f < 999; f++) builder.add(record(`vendor/pkg${d}/src/File${f}.php`));
    }
    const tree = builder.finish();
    expect(tree.entries).toBe(1 + 1 + 1000 * 2 + 999_000);
    expect(tree.byteSize / tree.entries).toBeLessThan(100);
  });
});

describe('pax records', () => {
  it('keeps path and linkpath as bytes and the rest as UTF-8', () => {
    const body = (key: string, value: Buffer) => {
      const rest = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
      let length = rest.length + 1;
      if (String(length).length + rest.length !== length) length = String(length + 1).length + rest.length;
      return Buffer.concat([Buffer.from(String(length)), rest]);
    };
    const bytes = Buffer.concat([
      body('path', Buffer.from([0x61, 0xff])),
      body('uname', Buffer.from('jörg')),
      body('uid', Buffer.from('4294967294')),
    ]);
    expect(paxRecords(bytes)).toEqual({ path: 'a\xff', uname: 'jörg', uid: '4294967294' });
  });
});
