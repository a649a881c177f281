import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImage } from '../../src/archive/image.js';
import { archiveLookup } from '../../src/archive/lookup.js';
import { readArchive } from '../../src/archive/read.js';
import { failureCode } from '../../src/cli.js';
import { UsageError } from '../../src/errors.js';
import { itNeeding, NEEDS_ROOT } from '../helpers/needs.js';
import { makeTempDir } from '../helpers/tmp.js';
import { isRoot } from '../helpers/users.js';
import { archiveVisits, diskVisits, snapshot } from '../helpers/visits.js';

/**
 * Writes a tar with Python's tarfile, which stores names and sizes as given: the archives an
 * attacker would hand over. `entries`: [name, type, mode, extra] with type f (file), d, l
 * (symlink, extra = target), h (hard link, extra = target).
 */
function craft(file: string, entries: [string, string, number, string?][], format = 'GNU'): void {
  const script = `
import io, json, sys, tarfile
entries = json.load(sys.stdin)
with tarfile.open(sys.argv[1], 'w', format=getattr(tarfile, sys.argv[2] + '_FORMAT')) as tar:
    for name, kind, mode, extra in entries:
        info = tarfile.TarInfo(name)
        info.mode = mode
        info.uid, info.gid, info.uname, info.gname = 33, 33, 'www-data', 'www-data'
        info.type = {'f': tarfile.REGTYPE, 'd': tarfile.DIRTYPE, 'l': tarfile.SYMTYPE, 'h': tarfile.LNKTYPE}[kind]
        data = b''
        if kind == 'f':
            data = (extra or '').encode()
            info.size = len(data)
        elif extra:
            info.linkname = extra
        tar.addfile(info, io.BytesIO(data))
`;
  execFileSync('python3', ['-c', script, file, format], { input: JSON.stringify(entries.map((e) => [...e, e[3] ?? null].slice(0, 4))) });
}

/** What the first lines of a file that is no archive add: audit wanted a directory, most likely. */
const TAKES = "; audit takes the application's root directory, or a tar archive of it";

const escape = `permcheck-escape-${process.pid}`;
const hasZstd = spawnSync('zstd', ['--version']).status === 0;

describe('hostile archives: read, never unpacked, never written', () => {
  const tmp = makeTempDir('permcheck-archive-hostile-');
  let before: { tmp: string[]; cwd: string[] };
  const file = (name: string) => join(tmp.path, name);
  const cleanTree = join(tmp.path, 'src');

  beforeAll(() => {
    craft(file('dotdot.tar'), [
      ['ok.php', 'f', 0o644],
      [`../../${escape}.php`, 'f', 0o666, 'pwned'],
      ['/etc/permcheck-evil.conf', 'f', 0o600],
      ['a/../../b.php', 'f', 0o640],
      ['./c/./d//e.php', 'f', 0o644],
    ]);
    craft(file('dups.tar'), [
      ['d', 'd', 0o700],
      ['d/keep.php', 'f', 0o644],
      ['dup.php', 'f', 0o600, 'first'],
      ['d', 'd', 0o2775],
      ['dup.php', 'f', 0o666, 'second'],
      ['link.php', 'h', 0o644, 'd/keep.php'],
    ]);
    craft(file('symlink-out.tar'), [
      ['etc-link', 'l', 0o777, '/etc'],
      ['etc-link/passwd', 'f', 0o666, 'root::0:0::/:/bin/sh'],
      ['up', 'l', 0o777, '../../..'],
      ['up/outside.php', 'f', 0o666],
    ]);
    mkdirSync(cleanTree);
    writeFileSync(join(cleanTree, 'big.bin'), Buffer.alloc(300_000, 1));
    writeFileSync(join(cleanTree, 'small.php'), '<?php');
    execFileSync('tar', ['-cf', file('good.tar'), '-C', cleanTree, '.']);
    execFileSync('tar', ['-czf', file('good.tar.gz'), '-C', cleanTree, '.']);
    if (hasZstd) execFileSync('tar', ['-cf', file('good.tar.zst'), '--use-compress-program=zstd', '-C', cleanTree, '.']);
    const good = readFileSync(file('good.tar'));
    writeFileSync(file('truncated.tar'), good.subarray(0, 2048));
    const half = (name: string) => readFileSync(file(name)).subarray(0, readFileSync(file(name)).length >> 1);
    writeFileSync(file('truncated.tar.gz'), half('good.tar.gz'));
    if (hasZstd) writeFileSync(file('truncated.tar.zst'), half('good.tar.zst'));
    const gz = Buffer.from(readFileSync(file('good.tar.gz')));
    for (let i = 40; i < 60; i++) gz[i] = gz[i]! ^ 0x5a;
    writeFileSync(file('corrupt.tar.gz'), gz);
    let seed = 7;
    writeFileSync(
      file('garbage.tar'),
      Buffer.from(Array.from({ length: 4096 }, () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff)),
    );
    writeFileSync(file('empty.tar'), '');
    writeFileSync(file('short.tar'), '\n');
    writeFileSync(file('release.tar.xz'), Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), Buffer.alloc(100)]));
    // A header that claims 8 GiB of content, and ends after a few bytes of it.
    const huge = Buffer.from(good.subarray(0, 1024));
    huge.write('100000000000\0', 512 + 124, 'latin1');
    writeHeaderChecksum(huge.subarray(512));
    writeFileSync(file('huge-claim.tar'), huge);
    craft(file('pax-bomb.tar'), [[`${'p/'.repeat(2_200_000)}x`, 'f', 0o644]], 'PAX');
    // dist/ is left out: the pack test rebuilds it (npm pack runs prepare) while this file runs.
    before = { tmp: snapshot(tmp.path), cwd: snapshot(process.cwd(), ['node_modules', 'dist']) };
  });
  afterAll(() => tmp.cleanup());

  itNeeding({ [NEEDS_ROOT.archives]: isRoot })(
    'refuses names with "..", strips a leading "/", as GNU tar unpacks them, and says so',
    async () => {
      const tree = await readArchive(file('dotdot.tar'));
      expect(archiveVisits(tree).filter((v) => !v.startsWith('skip'))).toEqual(gnuUnpacked(file('dotdot.tar'), tmp.path));
      expect(archiveLookup(tree, `${escape}.php`)).toBe(undefined);
      expect(archiveLookup(tree, 'etc/permcheck-evil.conf')?.mode).toBe(0o600);
      expect(tree.notes.lines()).toEqual([
        `entries with '..' in their name are skipped, as GNU tar refuses to unpack them (2 entries: "../../${escape}.php", "a/../../b.php")`,
        `leading '/' removed from member names, as GNU tar does (1 entry: "/etc/permcheck-evil.conf")`,
      ]);
    },
  );

  itNeeding({ [NEEDS_ROOT.archives]: isRoot })('keeps the last of duplicate entries, as GNU tar leaves them when it unpacks', async () => {
    const tree = await readArchive(file('dups.tar'));
    expect(archiveVisits(tree).filter((v) => !v.startsWith('skip'))).toEqual(gnuUnpacked(file('dups.tar'), tmp.path));
    expect(archiveLookup(tree, 'dup.php')?.mode).toBe(0o666);
    expect(archiveLookup(tree, 'd')?.mode).toBe(0o2775);
    expect(tree.notes.lines()).toEqual([
      'duplicate entries: the last one wins, as when the archive is unpacked (2 entries: "d", "dup.php")',
    ]);
  });

  it('keeps symlinks that point out as entries, never follows them, and skips entries behind them', async () => {
    const tree = await readArchive(file('symlink-out.tar'));
    expect(archiveVisits(tree).filter((v) => v.startsWith('ent'))).toEqual([
      'enter "." directory 755 0:0 n2',
      'entry "etc-link" symlink 777 33:33 n1',
      'entry "up" symlink 777 33:33 n1',
    ]);
    expect(archiveLookup(tree, 'etc-link', { follow: false })?.target).toBe('/etc');
    expect(tree.notes.lines()).toEqual([
      'entries below a symlink (never followed) are skipped, as unpacking would refuse them (2 entries: "etc-link/passwd", "up/outside.php")',
    ]);
  });

  it.each<[string, string | RegExp]>([
    ['truncated.tar', 'truncated tar archive (it ends inside an entry, after the entry "./big.bin")'],
    ['truncated.tar.gz', 'truncated gzip data (it ends before the compressed stream does)'],
    // Without the zstd package (which makes the archive) this case is left out.
    ...(hasZstd ? [['truncated.tar.zst', 'truncated zstd data (it ends before the compressed stream does)'] as [string, string]] : []),
    ['huge-claim.tar', /^truncated tar archive \(it ends inside an entry, after the entry "\.\/(big\.bin|small\.php)"\)$/],
    ['garbage.tar', `not a tar archive, or a corrupt one (no valid tar header at byte 0, at the start)${TAKES}`],
    ['release.tar.xz', 'xz-compressed; permcheck reads tar, tar.gz and tar.zst (decompress it and pipe it in: ... | permcheck audit -)'],
    ['pax-bomb.tar', 'a pax or long-name header larger than 4 MiB (at the start)'],
    ['missing.tar', 'no such file'],
    ['empty.tar', `empty, not a tar archive${TAKES}`],
    ['short.tar', `not a tar archive (too short for a tar header)${TAKES}`],
  ])('%s: one clear line naming the archive, exit 2 at the CLI', async (name, message) => {
    const error = await readArchive(file(name)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    const text = (error as Error).message;
    expect(text.startsWith(`${file(name)}: `)).toBe(true);
    if (typeof message === 'string') expect(text).toBe(`${file(name)}: ${message}`);
    else expect(text.slice(file(name).length + 2)).toMatch(message);
    const written: string[] = [];
    expect(failureCode(error, (line) => written.push(line))).toBe(2);
    expect(written).toEqual([`permcheck: ${text}\n`]);
  });

  it('corrupt gzip data is named as such', async () => {
    await expect(readArchive(file('corrupt.tar.gz'))).rejects.toThrow(
      new RegExp(`^${file('corrupt.tar.gz')}: (corrupt gzip data \\(.+\\)|not a tar archive, or a corrupt one .*)$`),
    );
  });

  it('streams large contents through and stops at the entry limit', async () => {
    const tree = await readArchive(file('good.tar.gz'));
    expect(archiveLookup(tree, 'big.bin')?.type).toBe('file');
    await expect(readArchive(file('good.tar'), { maxEntries: 2 })).rejects.toThrow(
      `${file('good.tar')}: more than 2 entries; permcheck stops here`,
    );
  });

  it('a plain archive as an image, or a directory that is no image layout: clear errors', async () => {
    await expect(readImage(file('good.tar'))).rejects.toThrow(
      `${file('good.tar')}: not a container image (no manifest.json or index.json at its top)`,
    );
    await expect(readImage(tmp.path)).rejects.toThrow(`${tmp.path}: a directory, but not an OCI image layout (no oci-layout file)`);
    await expect(readArchive(tmp.path)).rejects.toThrow(
      `${tmp.path}: a directory, not an archive (an OCI image layout has an oci-layout file)`,
    );
  });

  it('wrote nothing: the temp directory, the working directory and the escape targets are as they were', () => {
    // Only GNU tar, run by the test itself, unpacked anything (into unpacked-*).
    expect(snapshot(tmp.path).filter((l) => !l.includes(Buffer.from('/unpacked-').toString('hex')))).toEqual(before.tmp);
    expect(snapshot(process.cwd(), ['node_modules', 'dist'])).toEqual(before.cwd);
    expect(existsSync(join(tmp.path, '..', '..', `${escape}.php`))).toBe(false);
    expect(existsSync('/etc/permcheck-evil.conf')).toBe(false);
  });
});

/** The visits of a walk over what GNU tar (as root, keeping owners and modes) unpacks the archive to. */
function gnuUnpacked(archive: string, tmp: string): string[] {
  if (!isRoot) return [];
  const into = join(tmp, `unpacked-${archive.split('/').pop()}`);
  mkdirSync(into, { mode: 0o755 });
  // GNU tar exits 2 when it refused members ("Member name contains '..'"): that is the point.
  const result = spawnSync('sh', ['-c', 'umask 022 && tar -xpf "$1" -C "$2"', 'sh', archive, into], { encoding: 'utf8' });
  if (result.status !== 0 && !result.stderr.includes("Member name contains '..'")) throw new Error(`tar -x failed: ${result.stderr}`);
  return diskVisits(into)
    .filter((v) => !v.startsWith('skip'))
    .map((v) => (v.startsWith('enter "." ') ? v.replace(/ \d+:\d+ /, ' 0:0 ') : v));
}

function writeHeaderChecksum(block: Buffer): void {
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += block[i]!;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
}
