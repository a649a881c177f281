import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliJson } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { buildTree, type EntrySpec } from '../helpers/tree.js';
import { CRON, DEPLOY, isRoot, WEB, writeUserFiles, roleFlags } from '../helpers/users.js';
import { snapshot } from '../helpers/visits.js';

const WWW = 21100;
const hasZstd = spawnSync('zstd', ['--version']).status === 0;

/** A Magento release with faults of every kind the rules know, owned as a deploy would leave it. */
function release(): EntrySpec[] {
  const own = { uid: DEPLOY.uid, gid: WWW };
  const web = { uid: WEB.uid, gid: WWW };
  return [
    { path: '.', type: 'dir', mode: 0o2775, ...own },
    { path: 'bin', type: 'dir', mode: 0o755, ...own },
    { path: 'bin/magento', type: 'file', mode: 0o755, ...own },
    { path: 'index.php', type: 'file', mode: 0o666, ...own },
    { path: 'setuid.php', type: 'file', mode: 0o4755, ...own },
    { path: 'app', type: 'dir', mode: 0o2775, ...own },
    { path: 'app/etc', type: 'dir', mode: 0o2775, ...own },
    { path: 'app/etc/env.php', type: 'file', mode: 0o644, ...own },
    { path: 'var', type: 'dir', mode: 0o2775, ...web },
    { path: 'var/cache', type: 'dir', mode: 0o2700, ...web },
    { path: 'var/cache/mage--a', type: 'file', mode: 0o644, ...web },
    { path: 'var/log', type: 'dir', mode: 0o2775, uid: CRON.uid, gid: CRON.gid },
    { path: 'var/log/cron.log', type: 'file', mode: 0o600, uid: CRON.uid, gid: CRON.gid },
    { path: 'pub', type: 'dir', mode: 0o2750, ...own },
    { path: 'pub/media', type: 'dir', mode: 0o2700, ...own },
    { path: 'pub/media/a.jpg', type: 'file', mode: 0o664, ...own },
    { path: 'pub/static-link', type: 'symlink', target: '/etc', ...own },
  ];
}

type Json = { findings: Record<string, unknown>[]; preset: string; roles: Record<string, { uid: number }>; notes?: string[] };

/**
 * Findings as the two sides can agree on them: on disk, run by root on trees that fixture users own, a
 * fix is a `permcheck fix` line (they could swap a directory before the paste); an archive's are
 * commands (no one else holds the tree it unpacks to). Whether there is a fix must agree. Advice that
 * names commands follows the same line.
 */
function comparable<T extends { json: Json }>(result: T): T {
  result.json.findings = result.json.findings.map(({ fix, ...rest }) => ({
    ...rest,
    // An archive's contents are not kept: its secrets are secrets by their path, and say why differently.
    ...(typeof rest.message === 'string' ? { message: rest.message.replace(/; its content did not decide: .*$/, '') } : {}),
    // The same holds for commands in advice: in words on disk, commands for an archive.
    ...(typeof rest.advice === 'string'
      ? { advice: rest.advice.replace(/: setfacl -R .*$/, '').replace(/, giving \S+ on .* and below it \(no command is printed: .*$/, '') }
      : {}),
    fixed: fix !== undefined,
  }));
  return result;
}

describe.skipIf(!isRoot)('an archive audits to the same findings as the tree it was made from', () => {
  const tmp = makeTempDir('permcheck-artifact-');
  const tree = join(tmp.path, 'tree');
  const out = join(tmp.path, 'out');
  let users: string[];
  let disk: Json;
  let before: string[];
  afterAll(() => tmp.cleanup());
  beforeAll(() => {
    buildTree(tree, release());
    const files = writeUserFiles(tmp.path);
    users = roleFlags(files);
    disk = audit(tree).json;
    mkdirSync(out);
    before = snapshot(tmp.path, ['out']);
  });
  afterAll(() => {
    // Nothing was unpacked or written, in the tree or beside it (the archives are made in out/).
    expect(snapshot(tmp.path, ['out'])).toEqual(before);
  });

  const audit = (target: string, extra: string[] = [], options = {}) =>
    comparable(
      runCliJson<Json>(
        ['audit', target, '--format', 'json', '--fail-on', 'never', '--jobs', '1', '--ignore-ancestors', ...users, ...extra],
        options,
      ),
    );
  const tar = (name: string, args: string[], from = tree) => {
    const file = join(out, name);
    execFileSync('tar', [...args, '-cf', file, '-C', from, '.']);
    return file;
  };

  it('the directory audit has findings to compare', () => {
    expect(disk.preset).toBe('magento2');
    const rules = new Set(disk.findings.map((f) => f.rule));
    for (const rule of ['world-writable', 'secret-exposed', 'traverse-denied', 'access-denied', 'special-bit'])
      expect(rules).toContain(rule);
  });

  it.each([
    ['tar', 'release.tar', []],
    ['tar.gz', 'release.tar.gz', ['-z']],
    ['pax tar', 'release-pax.tar', ['--format=posix']],
  ])('%s: same findings, preset detected from the archive, same roles', (_kind, name, args) => {
    const file = tar(name, args);
    const { result, json } = audit(file);
    expect(result.stderr).toBe('');
    expect(json.findings).toEqual(disk.findings);
    expect(json.preset).toBe('magento2');
    expect(json.roles).toEqual(disk.roles);
    expect(json).toMatchObject({ root: file, artifact: { kind: 'archive', file, root: '.' } });
  });

  it.skipIf(!hasZstd)('tar.zst: same findings (needs the zstd package)', () => {
    expect(audit(tar('release.tar.zst', ['--zstd'])).json.findings).toEqual(disk.findings);
  });

  it('stdin (-): same findings, with the exit code of the findings', () => {
    const input = execFileSync('tar', ['-czf', '-', '-C', tree, '.']);
    const { json } = audit('-', [], { input });
    expect(json.findings).toEqual(disk.findings);
    const text = runCli(['audit', '-', '--ignore-ancestors', ...users], { input });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^permcheck audit stdin\n {2}archive {2}stdin, root \.\n/);
  });

  it('tar --owner/--group/--mode: the same findings as the tree given those owners and modes on disk', () => {
    const owned = tar('owned.tar', ['--owner=deploy:21001', '--group=www:21100', '--mode=go-w']);
    const copy = join(out, 'owned-tree');
    execFileSync('cp', ['-a', tree, copy]);
    execFileSync('chown', ['-hR', `${DEPLOY.uid}:${WWW}`, copy]);
    // chown cleared setuid and setgid: put them back as tar --mode keeps them, then drop go-w.
    execFileSync('bash', [
      '-c',
      `cd '${tree}' && find . ! -type l -perm /6000 -exec sh -c 'chmod $(stat -c %a "$1") "${copy}/$1"' _ {} \\;`,
    ]);
    execFileSync('chmod', ['-R', 'go-w', copy]);
    const expected = audit(copy).json.findings.map((f) => ({ ...f }));
    expect(expected.length).toBeGreaterThan(0);
    expect(audit(owned).json.findings).toEqual(expected);
  });

  it('without --ignore-ancestors: the directories above the root are not judged, and a note says so', () => {
    const file = join(out, 'release.tar');
    const { json } = comparable(runCliJson<Json>(['audit', file, '--format', 'json', '--fail-on', 'never', ...users]));
    expect(json.findings).toEqual(disk.findings);
    expect(json.notes).toEqual([
      `the directories above ${file}'s root are wherever it is unpacked: not judged (--ignore-ancestors silences this)`,
    ]);
  });

  it('names owners from the headers without --passwd/--group, else numbers', () => {
    const file = join(out, 'owned.tar');
    const { json } = runCliJson<Json>(['audit', file, '--format', 'json', '--fail-on', 'never', '--web-user', 'deploy']);
    // deploy:www from the headers; cli is the root's owner, named by the header.
    expect(json.roles).toMatchObject({ web: { uid: DEPLOY.uid }, cli: { uid: DEPLOY.uid } });
    const text = runCli(['audit', file, '--web-user', 'deploy', '--fail-on', 'never']);
    expect(text.stdout).toContain('(-rw-r--r-- deploy:www)');
    const numbers = tar('numbers.tar', ['--owner=:21001', '--group=:21100', '--numeric-owner']);
    const numeric = runCli(['audit', numbers, '--web-user', '21001', '--fail-on', 'never']);
    expect(numeric.stderr).toContain("role web: --web-user '21001': uid 21001 is not in the owner names in the headers of");
  });
});

interface Blob {
  digest: string;
  size: number;
}

describe.skipIf(!isRoot)('an image audits to the same findings as its merged file system on disk', () => {
  const tmp = makeTempDir('permcheck-artifact-image-');
  afterAll(() => tmp.cleanup());
  const html = (path: string) => `var/www/html${path ? `/${path}` : ''}`;
  const d = (path: string, mode = 0o755, uid = 0, gid = 0): EntrySpec => ({ path, type: 'dir', mode, uid, gid });
  const f = (path: string, mode = 0o644, uid = 0, gid = 0): EntrySpec => ({ path, type: 'file', mode, uid, gid });
  const parents = (www = 0o755) => [d('var'), d('var/www', www), d(html(''), 0o2775, DEPLOY.uid, WWW)];
  const lower = (www?: number): EntrySpec[] => [
    ...parents(www),
    f(html('artisan'), 0o755, DEPLOY.uid, WWW),
    d(html('bootstrap'), 0o2775, DEPLOY.uid, WWW),
    f(html('bootstrap/app.php'), 0o644, DEPLOY.uid, WWW),
    f(html('bootstrap/pid'), 0o644, 33, 33),
    f(html('old.php'), 0o666, DEPLOY.uid, WWW),
    d(html('storage'), 0o2775, WEB.uid, WWW),
    f(html('storage/a.log'), 0o600, WEB.uid, WEB.gid),
    d(html('gone'), 0o777),
    f(html('gone/x.php'), 0o666),
  ];
  const upper = (www?: number): EntrySpec[] => [
    ...parents(www),
    f(html('.wh.old.php'), 0o600),
    f(html('.wh.gone'), 0o600),
    d(html('storage'), 0o2770, WEB.uid, WWW),
    f(html('storage/.wh..wh..opq'), 0o600),
    f(html('storage/b.log'), 0o640, WEB.uid, WEB.gid),
    f(html('.env'), 0o644, DEPLOY.uid, WWW),
  ];
  const merged = (www?: number): EntrySpec[] => [
    ...parents(www),
    f(html('artisan'), 0o755, DEPLOY.uid, WWW),
    d(html('bootstrap'), 0o2775, DEPLOY.uid, WWW),
    f(html('bootstrap/app.php'), 0o644, DEPLOY.uid, WWW),
    f(html('bootstrap/pid'), 0o644, 33, 33),
    d(html('storage'), 0o2770, WEB.uid, WWW),
    f(html('storage/b.log'), 0o640, WEB.uid, WEB.gid),
    f(html('.env'), 0o644, DEPLOY.uid, WWW),
  ];

  /** An OCI image layout with the two layers (the upper one gzipped) and a config whose User is `user`. */
  const layout = (name: string, www: number | undefined, user: string) => {
    const dir = join(tmp.path, name);
    const blobs = join(dir, 'blobs', 'sha256');
    mkdirSync(blobs, { recursive: true });
    const blob = (bytes: Buffer): Blob => {
      const hex = createHash('sha256').update(bytes).digest('hex');
      writeFileSync(join(blobs, hex), bytes);
      return { digest: `sha256:${hex}`, size: bytes.length };
    };
    const layer = (stage: string, entries: EntrySpec[]) => {
      buildTree(join(tmp.path, stage), entries);
      return execFileSync('tar', ['-cf', '-', '-C', join(tmp.path, stage), '--sort=name', 'var'], { maxBuffer: 1 << 26 });
    };
    const one = blob(layer(`${name}-l1`, lower(www)));
    const two = blob(execFileSync('gzip', ['-n'], { input: layer(`${name}-l2`, upper(www)) }));
    const config = blob(
      Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { User: user }, rootfs: { type: 'layers' } })),
    );
    const manifest = blob(
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
          layers: [
            { mediaType: 'application/vnd.oci.image.layer.v1.tar', ...one },
            { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...two },
          ],
        }),
      ),
    );
    writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    writeFileSync(
      join(dir, 'index.json'),
      JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest }] }),
    );
    return dir;
  };

  let users: string[];
  beforeAll(() => {
    const files = writeUserFiles(tmp.path);
    users = roleFlags(files);
  });
  const audit = (target: string, extra: string[]) =>
    comparable(runCliJson<Json>(['audit', target, '--format', 'json', '--fail-on', 'never', '--jobs', '1', ...users, ...extra]));

  it('two layers, a whiteout and an opaque directory: the findings of the merged tree, the preset from the image', () => {
    const image = layout('layout', undefined, 'www-data');
    const disk = join(tmp.path, 'merged');
    buildTree(disk, merged());
    const expected = audit(join(disk, html('')), ['--ignore-ancestors']).json;
    const { result, json } = audit(image, ['--image-root', '/var/www/html', '--ignore-ancestors']);
    expect(result.stderr).toBe('');
    expect(json.preset).toBe('laravel');
    expect(json.findings).toEqual(expected.findings);
    expect(json.findings.length).toBeGreaterThan(3);
    expect(JSON.stringify(json.findings)).not.toMatch(/old\.php|gone|\.wh\.|a\.log/);
    expect(json).toMatchObject({ artifact: { kind: 'image', file: image, root: '/var/www/html', layers: 2, user: 'www-data' } });
  });

  it('directories above --image-root are judged from the image: a 0750 /var/www blocks web', () => {
    const image = layout('blocked', 0o750, 'www-data');
    const { json } = audit(image, ['--image-root', '/var/www/html']);
    const blocked = json.findings.filter((f) => f.rule === 'traverse-denied' && f.path === '.');
    expect(blocked.map((f) => f.role)).toEqual(expect.arrayContaining(['web', 'cli', 'cron']));
    expect(String(blocked[0]!.message)).toContain(`${image}:/var/www`);
    expect(json.notes).toContain('the 2 directories above /var/www/html judged as the image has them; those it only implies are skipped');
  });

  it("the image's User is the web and cli user when nothing else names one", () => {
    const image = join(tmp.path, 'layout');
    const { json } = runCliJson<{ roles: Record<string, { user: string; uid: number; origin: string }> }>([
      'audit',
      image,
      '--image-root',
      '/var/www/html',
      '--format',
      'json',
      '--fail-on',
      'never',
    ]);
    // Named by the headers: GNU tar wrote www-data for uid 33 (bootstrap/pid), as this host's /etc/passwd names it.
    expect(json.roles.web).toMatchObject({ uid: 33, origin: `User www-data in the image config (${image})` });
    expect(json.roles.cli).toMatchObject({ uid: 33, origin: `User www-data in the image config (${image})` });
  });

  it('an image needs --image-root; a docker save archive given as a tar says so', () => {
    const image = join(tmp.path, 'layout');
    const missing = runCli(['audit', image]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      `permcheck: ${image}: an OCI image layout; name the application's directory in it with --image-root (such as /var/www/html)\n`,
    );
    const save = join(tmp.path, 'save.tar');
    execFileSync('tar', ['-cf', save, '-C', image, '.']);
    const asTar = runCli(['audit', save]);
    expect(asTar.code).toBe(2);
    expect(asTar.stderr).toMatch(/a container image \(docker save\); name the application's directory in it with --image-root/);
    const notThere = runCli(['audit', image, '--image-root', '/srv/app']);
    expect(notThere.stderr).toBe(`permcheck: ${image}: /srv/app is not in the image\n`);
    expect(notThere.code).toBe(2);
  });
});

describe('hostile archives through the CLI: audited as they would unpack, or refused in one line', () => {
  const tmp = makeTempDir('permcheck-artifact-hostile-');
  afterAll(() => tmp.cleanup());
  const escape = `permcheck-escape-${process.pid}.php`;

  /** A tar as an attacker writes it (Python's tarfile stores names as given): [name, type f/d/l, mode, link target]. */
  const craft = (name: string, entries: [string, string, number, string?][]) => {
    const file = join(tmp.path, name);
    const script = `
import io, json, sys, tarfile
with tarfile.open(sys.argv[1], 'w', format=tarfile.GNU_FORMAT) as tar:
    for name, kind, mode, target in json.load(sys.stdin):
        info = tarfile.TarInfo(name)
        info.mode, info.uid, info.gid, info.uname, info.gname = mode, 33, 33, 'www-data', 'www-data'
        info.type = {'f': tarfile.REGTYPE, 'd': tarfile.DIRTYPE, 'l': tarfile.SYMTYPE}[kind]
        if target: info.linkname = target
        tar.addfile(info, io.BytesIO(b''))
`;
    execFileSync('python3', ['-c', script, file], { input: JSON.stringify(entries.map((e) => [e[0], e[1], e[2], e[3] ?? null])) });
    return file;
  };
  const flags = ['--web-user', 'www-data', '--cli-user', 'www-data', '--format', 'json', '--fail-on', 'never'];

  it('.., absolute paths, duplicates and symlinks out: what GNU tar would unpack is audited, the rest noted, nothing written', () => {
    const file = craft('hostile.tar', [
      ['.', 'd', 0o755],
      [`../../${escape}`, 'f', 0o666],
      ['/etc/evil.conf', 'f', 0o600],
      ['dup.php', 'f', 0o600],
      ['dup.php', 'f', 0o666],
      ['etc-link', 'l', 0o777, '/etc'],
      ['etc-link/passwd', 'f', 0o666],
    ]);
    const { result, json } = runCliJson<Json>(['audit', file, ...flags], { cwd: tmp.path });
    expect(result.code).toBe(0);
    expect(json.findings.map((f) => `${f.rule} ${f.path}`)).toContain('world-writable dup.php');
    expect(JSON.stringify(json.findings)).not.toMatch(/escape|passwd/);
    expect(json.notes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/entries with '\.\.' in their name are skipped/),
        expect.stringMatching(/leading '\/' removed from member names/),
        expect.stringMatching(/duplicate entries: the last one wins/),
        expect.stringMatching(/entries below a symlink \(never followed\) are skipped/),
      ]),
    );
    expect(spawnSync('ls', [join(tmp.path, '..', escape)]).status).not.toBe(0);
    expect(spawnSync('ls', ['/etc/evil.conf']).status).not.toBe(0);
  });

  it.each<[string, (file: string) => void, RegExp]>([
    [
      'truncated',
      (file) => writeFileSync(file, execFileSync('tar', ['-cf', '-', '-C', '/usr/share/doc', 'bash']).subarray(0, 1536)),
      /: truncated tar archive/,
    ],
    ['not an archive', (file) => writeFileSync(file, '<?php echo 1;'), /: not a tar archive/],
    [
      'empty',
      (file) => writeFileSync(file, ''),
      /: empty, not a tar archive; audit takes the application's root directory, or a tar archive of it$/,
    ],
    [
      'xz',
      (file) => writeFileSync(file, Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2])),
      /: xz-compressed; permcheck reads tar, tar\.gz and tar\.zst/,
    ],
  ])('%s: exit 2, one line naming the archive', (name, make, message) => {
    const file = join(tmp.path, `${name}.tar`);
    make(file);
    const { code, stdout, stderr } = runCli(['audit', file, ...flags]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr.trim()).toMatch(new RegExp(`^permcheck: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(stderr.trim()).toMatch(message);
  });
});
