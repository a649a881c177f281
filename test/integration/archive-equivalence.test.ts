import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, linkSync, lchownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { archiveAncestors, archiveLookup } from '../../src/archive/lookup.js';
import { readArchive } from '../../src/archive/read.js';
import type { ArchiveTree } from '../../src/archive/tree.js';
import { walkArchiveTree } from '../../src/archive/walk.js';
import type { WalkEntry } from '../../src/walk/walker.js';
import { makeTempDir } from '../helpers/tmp.js';
import { buildTree, type EntrySpec } from '../helpers/tree.js';
import { CRON, DEPLOY, isRoot, WEB } from '../helpers/users.js';
import { archiveVisits, diskVisits, type VisitOptions } from '../helpers/visits.js';
import { describeNeeding, NEEDS_ROOT } from '../helpers/needs.js';

const WWW = 21100;
const hasZstd = spawnSync('zstd', ['--version']).status === 0;

/**
 * A deployment with what tar has to get right: special bits, foreign owners, symlinks out of the
 * tree, hard links, a FIFO, names longer than ustar holds, names that are not UTF-8, and names
 * whose UTF-16 order differs from their byte order (an emoji's surrogates sort before U+FF01).
 */
function deployment(): EntrySpec[] {
  const own = { uid: DEPLOY.uid, gid: WWW };
  const long = 'l'.repeat(120);
  return [
    { path: '.', type: 'dir', mode: 0o2750, ...own },
    { path: 'index.php', type: 'file', mode: 0o640, ...own },
    { path: 'B.php', type: 'file', mode: 0o644, uid: 0, gid: 0 },
    { path: 'a.php', type: 'file', mode: 0o4755, ...own },
    { path: '\u{1F600}.php', type: 'file', mode: 0o600, ...own },
    { path: '\uFF01.php', type: 'file', mode: 0o666, ...own },
    { path: 'é.php', type: 'file', mode: 0o644, uid: WEB.uid, gid: WEB.gid },
    { path: 'var', type: 'dir', mode: 0o2770, uid: WEB.uid, gid: WWW },
    { path: 'var/cache', type: 'dir', mode: 0o700, uid: WEB.uid, gid: WEB.gid },
    { path: 'var/cache/x.cache', type: 'file', mode: 0o600, uid: WEB.uid, gid: WEB.gid, content: 'cached' },
    { path: 'var/tmp', type: 'dir', mode: 0o1777, uid: 0, gid: 0 },
    { path: 'var/tmp/job.skip', type: 'file', mode: 0o666, uid: CRON.uid, gid: CRON.gid },
    { path: 'var/tmp/job.lock', type: 'file', mode: 0o664, uid: CRON.uid, gid: CRON.gid },
    { path: 'pub', type: 'dir', mode: 0o711, ...own },
    { path: 'pub/pruned', type: 'dir', mode: 0o755, ...own },
    { path: 'pub/pruned/hidden.php', type: 'file', mode: 0o777, ...own },
    { path: 'pub/etc-link', type: 'symlink', target: '/etc', uid: WEB.uid, gid: WEB.gid },
    { path: 'pub/up', type: 'symlink', target: '../..', ...own },
    { path: 'pub/dangling', type: 'symlink', target: 'nothing', ...own },
    { path: `deep/${long}/${long}`, type: 'dir', mode: 0o750, ...own },
    { path: 'deep', type: 'dir', mode: 0o755, ...own },
    { path: `deep/${long}`, type: 'dir', mode: 0o755, ...own },
    { path: `deep/${long}/${long}/${long}.php`, type: 'file', mode: 0o640, ...own, content: 'x'.repeat(5000) },
  ];
}

/** What `buildTree` cannot make: hard links, a FIFO, names with bytes that are not UTF-8. */
function addOddEntries(root: string): void {
  linkSync(join(root, 'index.php'), join(root, 'var', 'index-link.php'));
  execFileSync('mkfifo', ['-m', '0620', join(root, 'var', 'fifo')]);
  const bad = Buffer.concat([Buffer.from(`${root}/bad`), Buffer.from([0xff]), Buffer.from('.php')]);
  writeFileSync(bad, '');
  chmodSync(bad, 0o646);
  const dir = Buffer.concat([Buffer.from(`${root}/dir`), Buffer.from([0xfe])]);
  mkdirSync(dir);
  const inner = Buffer.concat([dir, Buffer.from('/inner'), Buffer.from([0xfd]), Buffer.from('.php')]);
  writeFileSync(inner, '');
  chownSync(inner, WEB.uid, WEB.gid);
  // Two names that decode to the same text: the walk orders them by their bytes.
  writeFileSync(Buffer.concat([Buffer.from(`${root}/twin`), Buffer.from([0xfe])]), '');
  writeFileSync(Buffer.concat([Buffer.from(`${root}/twin`), Buffer.from([0xff])]), '');
  lchownSync(join(root, 'pub', 'up'), DEPLOY.uid, WWW);
  chmodSync(dir, 0o2775);
}

const VISIT: VisitOptions = { skip: /\.skip$/, prune: /pruned$/ };

describeNeeding({ [NEEDS_ROOT.chown]: isRoot })('an archive walks exactly as the tree it was made from', () => {
  const tmp = makeTempDir('permcheck-archive-eq-');
  const root = join(tmp.path, 'tree');
  let expected: string[];
  afterAll(() => tmp.cleanup());
  beforeAll(() => {
    buildTree(root, deployment());
    addOddEntries(root);
    expected = diskVisits(root, VISIT);
  });

  const tar = (name: string, args: string[]) => {
    const file = join(tmp.path, name);
    execFileSync('tar', [...args, '-cf', file, '-C', root, '.']);
    return file;
  };

  it('visits the same entries in the same order as the Walker on disk: a GNU tar', async () => {
    const tree = await readArchive(tar('gnu.tar', ['--format=gnu']));
    const visits = archiveVisits(tree, '.', VISIT);
    expect(visits).toEqual(expected);
    // The comparison must have compared something: every kind of entry, and bytes.
    expect(visits.filter((v) => v.startsWith('entry') || v.startsWith('enter')).length).toBe(28);
    for (const what of ['symlink', 'fifo', ' n2', 'bytes=', ' 4755 ', ' 1777 ', '"twin\ufffd"', 'skip? "var/tmp/job.skip" true']) {
      expect(visits.some((v) => v.includes(what))).toBe(true);
    }
    expect(tree.notes.lines()).toEqual([]);
    // As root, GNU tar writes the names of the owners it finds in /etc/passwd: root at least.
    expect(tree.users.get(0)).toBe('root');
  });

  it('and as a pax (POSIX) archive, and gzip-compressed', async () => {
    expect(archiveVisits(await readArchive(tar('pax.tar', ['--format=posix'])), '.', VISIT)).toEqual(expected);
    expect(archiveVisits(await readArchive(tar('gnu.tar.gz', ['-z'])), '.', VISIT)).toEqual(expected);
  });

  it.skipIf(!hasZstd)('and zstd-compressed (needs the zstd package)', async () => {
    expect(archiveVisits(await readArchive(tar('gnu.tar.zst', ['--zstd'])), '.', VISIT)).toEqual(expected);
  });

  it('with --owner, --group and --mode, as the overrides say', async () => {
    const file = tar('owned.tar', ['--owner=deployer:31001', '--group=shared:31100', '--mode=go-w,u+s']);
    const overridden = diskVisits(root, {
      ...VISIT,
      map: (e) => ({ ...e, uid: 31001, gid: 31100, mode: e.type === 'symlink' ? e.mode : (e.mode & ~0o022) | 0o4000 }),
    });
    const tree = await readArchive(file);
    expect(archiveVisits(tree, '.', VISIT)).toEqual(overridden);
    // The names come from the headers, for the reports to show.
    expect(tree.users).toEqual(new Map([[31001, 'deployer']]));
    expect(tree.groups).toEqual(new Map([[31100, 'shared']]));
  });

  it('read from a stream, as `-` reads stdin: tar -czf - piped in', async () => {
    const child = spawn('tar', ['-czf', '-', '-C', root, '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const tree = await readArchive({ stream: child.stdout, label: 'stdin' });
    expect(archiveVisits(tree, '.', VISIT)).toEqual(expected);
  });

  it('reads `-` as stdin, in a process of its own', () => {
    const script = `
      const { readArchive, walkArchiveTree } = await import(${JSON.stringify(new URL('../../dist/archive/index.js', import.meta.url).href)});
      const tree = await readArchive('-');
      const rels = [];
      walkArchiveTree(tree, '.', { enter: (d) => (rels.push(d.path), {}), entry: (e) => rels.push(e.path), leave() {}, skip: () => false, error() {} });
      console.log(JSON.stringify(rels));`;
    const input = execFileSync('tar', ['-czf', '-', '-C', root, 'var']);
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { input, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([
      'stdin:.',
      'stdin:var',
      'stdin:var/cache',
      'stdin:var/cache/x.cache',
      'stdin:var/fifo',
      'stdin:var/index-link.php',
      'stdin:var/tmp',
      'stdin:var/tmp/job.lock',
      'stdin:var/tmp/job.skip',
    ]);
  });

  it("GNU tar's sparse files: pax ones under their real name, old GNU ones as type unknown, said so", async () => {
    const sparse = join(tmp.path, 'sparse');
    mkdirSync(sparse);
    execFileSync('sh', ['-c', 'truncate -s 10M holes.bin && printf x | dd of=holes.bin bs=1 seek=5000000 conv=notrunc 2>/dev/null'], {
      cwd: sparse,
    });
    const sparseTar = (format: string) => {
      const file = join(tmp.path, `sparse-${format}.tar`);
      execFileSync('tar', ['-S', `--format=${format}`, '-cf', file, '-C', sparse, 'holes.bin']);
      return file;
    };
    const pax = await readArchive(sparseTar('posix'));
    expect(archiveLookup(pax, 'holes.bin')?.type).toBe('file');
    const gnu = await readArchive(sparseTar('gnu'));
    expect(archiveLookup(gnu, 'holes.bin')?.type).toBe('unknown');
    expect(gnu.notes.lines()).toEqual([
      'entries of a tar type permcheck does not know are audited as type "unknown" (1 entry: "holes.bin")',
    ]);
  });

  it('walks a subtree of the archive as the Walker walks that directory', async () => {
    const tree = await readArchive(join(tmp.path, 'gnu.tar'));
    expect(archiveVisits(tree, 'var', VISIT)).toEqual(diskVisits(join(root, 'var'), VISIT));
    expect(archiveVisits(tree, './var/', VISIT)).toEqual(diskVisits(join(root, 'var'), VISIT));
    // Above the subtree: the archive's root entry ('./'), with its real mode.
    expect(archiveAncestors(tree, 'var/cache').map((e) => [e.rel, e.path, e.mode, e.implied])).toEqual([
      ['.', `${join(tmp.path, 'gnu.tar')}:.`, 0o2750, false],
      ['var', `${join(tmp.path, 'gnu.tar')}:var`, 0o2770, false],
    ]);
    expect(archiveAncestors(tree, '.')).toEqual([]);
    expect(tree.looksLikeImage).toBe(false);
  });

  it('gives paths that name the archive and the entry, and bytes for names that are not UTF-8', async () => {
    const file = join(tmp.path, 'gnu.tar');
    const tree = await readArchive(file);
    const paths: string[] = [];
    const raws: string[] = [];
    walk(tree, (e) => {
      paths.push(e.path);
      if (e.raw) raws.push(`${Buffer.from(e.raw.path).toString('latin1')} | ${Buffer.from(e.raw.rel).toString('latin1')}`);
    });
    expect(paths).toContain(`${file}:.`);
    expect(paths).toContain(`${file}:var/cache/x.cache`);
    expect(raws).toContain(`${file}:dir\xfe/inner\xfd.php | dir\xfe/inner\xfd.php`);
    expect(raws).toContain(`${file}:bad\xff.php | bad\xff.php`);
  });
});

function walk(tree: ArchiveTree, each: (entry: WalkEntry) => void): void {
  walkArchiveTree(tree, '.', {
    enter: (dir) => (each(dir), {}),
    entry: each,
    leave: () => {},
    skip: () => false,
    error: () => {},
  });
}
