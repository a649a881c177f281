import { execFileSync, spawn } from 'node:child_process';
import { closeSync, lstatSync, mkdirSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Walker, type WalkVisitor } from '../../src/walk/walker.js';
import { openWalkStart } from '../../src/walk/lookup.js';
import { BIN, runCli, runCliJson } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { hasSetpriv, isRoot, runCliAs, STRANGER, writeUserFiles } from '../helpers/users.js';
import { describeNeeding, NEEDS_ROOT } from '../helpers/needs.js';

const FLAGS = ['--preset', 'generic', '--web-user', 'www-data', '--cli-user', 'root'];

/** Names and entries that break naive tools: built with bash, which takes bytes as they are. */
function buildHostileTree(dir: string): void {
  execFileSync('bash', [
    '-c',
    `set -e; mkdir -p "$1"; cd "$1"
     touch "$(printf 'new\\nline.php')" "$(printf 'bad\\xff.php')" -- -rf "with space.php" '$(touch pwned).php' "$(printf 'esc\\x1b[31mred.php')"
     chmod 666 "$(printf 'bad\\xff.php')" '$(touch pwned).php' -- -rf "$(printf 'new\\nline.php')" "with space.php" "$(printf 'esc\\x1b[31mred.php')"
     mkdir "$(printf 'dir\\xfe')"; touch "$(printf 'dir\\xfe/inner\\xfd.php')"; chmod 777 "$(printf 'dir\\xfe/inner\\xfd.php')"
     ln -s loop1 loop2; ln -s loop2 loop1; ln -s /etc etc-link; ln -s .. up; ln -s nothing dangling
     mkfifo fifo; python3 -c "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" "$1/sock"`,
    'bash',
    dir,
  ]);
}

/** Every entry's mode, owner, size and times, by name bytes: what "unchanged" means. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const visit = (path: Buffer) => {
    for (const name of readdirSync(path, { encoding: 'buffer' })) {
      const child = Buffer.concat([path, Buffer.from('/'), name]);
      const s = lstatSync(child, { bigint: true });
      out.push(`${child.toString('hex')} ${s.mode} ${s.uid}:${s.gid} ${s.size} m${s.mtimeNs} c${s.ctimeNs}`);
      if (s.isDirectory()) visit(child);
    }
  };
  visit(Buffer.from(dir));
  return out.sort();
}

describeNeeding({ [NEEDS_ROOT.chown]: isRoot })('hostile trees', () => {
  const tmp = makeTempDir('permcheck-hostile-');
  afterAll(() => {
    // coreutils rm walks relative to directory descriptors: it removes paths past PATH_MAX.
    execFileSync('rm', ['-rf', tmp.path]);
  });
  const hostile = join(tmp.path, 'hostile');
  beforeAll(() => buildHostileTree(hostile));

  it.each(['1', '2'])('walks names, links, FIFOs and sockets without following, opening or hanging (--jobs %s)', (jobs) => {
    const { result, json } = runCliJson(['audit', hostile, '--format', 'json', '--jobs', jobs, ...FLAGS], { timeout: 20_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    // The root, 14 entries in it, 1 inside dir\xfe; nothing behind the links.
    expect(json.summary.entries).toBe(16);
    const writable = json.findings.filter((f: { rule: string }) => f.rule === 'world-writable');
    expect(writable.map((f: { path: string }) => f.path).sort()).toEqual(
      [
        '$(touch pwned).php',
        '-rf',
        'bad\ufffd.php',
        'dir\ufffd/inner\ufffd.php',
        'esc\u001b[31mred.php',
        'new\nline.php',
        'with space.php',
      ].sort(),
    );
    const bad = writable.find((f: { path: string }) => f.path === 'bad\ufffd.php');
    expect(bad).toMatchObject({ pathBytes: Buffer.from('bad\xff.php', 'latin1').toString('hex'), fix: "chmod -- 0644 $'./bad\\xff.php'" });
    expect(json.findings.some((f: { path: string }) => f.path.startsWith('etc-link/') || f.path.startsWith('up/'))).toBe(false);
  });

  it('access names a symlink loop as an error, with exit 2', () => {
    const { code, stdout, stderr } = runCli(['access', join(hostile, 'loop1'), ...FLAGS.slice(2)]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`permcheck: '${join(hostile, 'loop1')}': too many levels of symbolic links\n`);
  });

  it('prints control characters in names escaped in text output', () => {
    const { stdout } = runCli(['audit', hostile, ...FLAGS]);
    expect(stdout).toContain('    new\\nline.php');
    expect(stdout).not.toContain('\u001b[31m');
    expect(stdout).toContain('esc\\x1b[31mred.php');
  });

  it('gives fix commands that act on exactly the named entries and execute nothing', () => {
    const copy = join(tmp.path, 'fixed');
    buildHostileTree(copy);
    const { json } = runCliJson(['audit', copy, '--format', 'json', ...FLAGS]);
    const fixes = json.findings.filter((f: { rule: string }) => f.rule === 'world-writable').map((f: { fix: string }) => f.fix);
    execFileSync('bash', ['-c', fixes.join('\n')], { cwd: copy });
    const again = runCliJson(['audit', copy, '--format', 'json', ...FLAGS]).json;
    expect(again.findings.filter((f: { rule: string }) => f.rule === 'world-writable')).toEqual([]);
    expect(readdirSync(copy)).not.toContain('pwned');
  });

  it('leaves the audited tree exactly as it was: modes, owners, sizes, mtimes, ctimes', () => {
    const before = snapshot(hostile);
    runCli(['audit', hostile, ...FLAGS]);
    runCli(['audit', hostile, '--format', 'json', '--jobs', '2', ...FLAGS]);
    runCli(['access', join(hostile, 'with space.php'), join(hostile, 'dir\ufffd'), join(hostile, 'up'), ...FLAGS.slice(2)]);
    runCli(['explain', '027', '--for', 'web', '--in', hostile, ...FLAGS.slice(2)], { cwd: hostile });
    expect(snapshot(hostile)).toEqual(before);
  });

  it('audits entries past PATH_MAX, which it reaches through open directories', () => {
    const deep = join(tmp.path, 'deep');
    const name = 'd'.repeat(250);
    execFileSync('bash', [
      '-c',
      `mkdir -p "$1" && cd "$1" && touch before.php && for i in $(seq 20); do mkdir ${name} && cd ${name}; done && touch too-deep.php && chmod 666 too-deep.php`,
      'bash',
      deep,
    ]);
    const { result, json } = runCliJson(['audit', deep, '--format', 'json', ...FLAGS]);
    expect(result.stderr).toBe('');
    expect(json.findings.filter((f: { rule: string }) => f.rule === 'walk-error')).toEqual([]);
    expect(json.summary.entries).toBe(23);
    const writable = json.findings.find((f: { rule: string }) => f.rule === 'world-writable');
    expect(writable.path).toBe(`${Array(20).fill(name).join('/')}/too-deep.php`);
    expect(writable.path.length).toBeGreaterThan(4096);
  });

  // How long the whole audit of `wide` took: what "prompt" on Ctrl-C is measured against below.
  let wideAuditMs = 0;

  it('handles 100,000 entries in one directory', () => {
    const wide = join(tmp.path, 'wide');
    mkdirSync(wide);
    for (let i = 0; i < 100_000; i++) closeSync(openSync(join(wide, `f${i}`), 'w', 0o644));
    execFileSync('chmod', ['666', join(wide, 'f4242'), join(wide, 'f99999')]);
    const started = Date.now();
    const { result, json } = runCliJson(['audit', wide, '--format', 'json', ...FLAGS]);
    wideAuditMs = Date.now() - started;
    expect(result.stderr).toBe('');
    expect(json.summary.entries).toBe(100_001);
    expect(json.findings.filter((f: { rule: string }) => f.rule === 'world-writable').map((f: { path: string }) => f.path)).toEqual([
      'f4242',
      'f99999',
    ]);
  });

  it('skips or reports entries that vanish or change during the walk, and never throws', () => {
    const moving = join(tmp.path, 'moving');
    for (const dir of ['a', 'b/inner', 'c', 'd']) mkdirSync(join(moving, dir), { recursive: true });
    for (const file of ['a/x', 'a/y', 'b/inner/z']) writeFileSync(join(moving, file), '');
    const seen: string[] = [];
    const errors: string[] = [];
    const visitor: WalkVisitor<string> = {
      enter(dir) {
        seen.push(`dir ${dir.rel}`);
        if (dir.rel === 'a') {
          rmSync(join(moving, 'b'), { recursive: true });
          rmSync(join(moving, 'c'), { recursive: true });
          writeFileSync(join(moving, 'c'), '');
        }
        // Turned into a file between lstat and readdir.
        if (dir.rel === 'd') {
          rmSync(join(moving, 'd'), { recursive: true });
          writeFileSync(join(moving, 'd'), '');
        }
        return dir.rel;
      },
      entry(entry) {
        seen.push(`file ${entry.rel}`);
        if (entry.rel === 'a/x') rmSync(join(moving, 'a/y'));
      },
      leave() {},
      skip: () => false,
      error: (rel, _path, error) => void errors.push(`${rel} ${error.code}`),
    };
    const walker = new Walker(openWalkStart(moving, '/')!, visitor);
    while (walker.step(1));
    expect(seen).toEqual(['dir .', 'dir a', 'file a/x', 'file c', 'dir d']);
    // d was opened before it turned into a file: the walk read the directory it opened (empty once
    // deleted), and says that d changed under it.
    expect(errors).toEqual(['d ERACE']);
  });

  it('survives a tree that churns while it is audited', async () => {
    const churn = join(tmp.path, 'churn');
    mkdirSync(churn);
    const stop = Date.now() + 1500;
    const writer = spawn('bash', [
      '-c',
      `cd "${churn}"; while true; do for i in $(seq 50); do mkdir -p d$i/x; touch d$i/x/f d$i/g; done; rm -rf d*; done`,
    ]);
    try {
      while (Date.now() < stop) {
        const { code, stderr } = runCli(['audit', churn, '--format', 'json', ...FLAGS]);
        expect(stderr).not.toMatch(/internal error|\n\s+at /);
        // 3: a directory was removed while it was read, and the report says so.
        expect([0, 1, 3]).toContain(code);
      }
    } finally {
      writer.kill('SIGKILL');
    }
  });

  it.each(['1', '2'])('stops promptly on Ctrl-C with exit 130 (--jobs %s)', async (jobs) => {
    const child = spawn(process.execPath, [BIN, 'audit', join(tmp.path, 'wide'), '--format', 'json', '--jobs', jobs, ...FLAGS], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    // Promptness is measured from the signal, not from the start: a loaded machine starts slowly.
    let interrupted = 0;
    child.stdout.once('data', () => {
      interrupted = Date.now();
      child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    // Well under the time the whole audit takes (an audit that only looked at the signal at the end
    // would exit 130 too); never less than 3 s of slack, for a loaded CI machine.
    expect(Date.now() - interrupted).toBeLessThan(Math.max(3000, wideAuditMs / 2));
    expect(stderr).toBe('');
  });
});

describeNeeding({ [NEEDS_ROOT.setpriv]: isRoot, 'setpriv (Debian package util-linux)': hasSetpriv() })(
  'running as a user who cannot see everything',
  () => {
    const tmp = makeTempDir('permcheck-nonroot-');
    afterAll(() => tmp.cleanup());

    it('reports what it could not read as walk-error, audits the rest, and says it is not root', () => {
      const users = writeUserFiles(tmp.path);
      const app = join(tmp.path, 'app');
      mkdirSync(join(app, 'private'), { recursive: true });
      mkdirSync(join(app, 'public'));
      writeFileSync(join(app, 'private', 'secret.php'), '');
      writeFileSync(join(app, 'public', 'index.php'), '');
      execFileSync('chmod', ['700', join(app, 'private')]);
      execFileSync('chmod', ['666', join(app, 'public', 'index.php')]);
      const flags = ['--passwd', users.passwd, '--group', users.group, '--web-user', 'web', '--cli-user', 'root', '--preset', 'generic'];
      const bin = inject('publicBin');
      const json = JSON.parse(runCliAs(STRANGER, bin, ['audit', app, '--format', 'json', ...flags]).stdout);
      expect(json.runner).toEqual({ uid: STRANGER.uid, user: 'stranger' });
      const error = json.findings.find((f: { rule: string }) => f.rule === 'walk-error');
      expect(error).toMatchObject({ path: 'private', severity: 'error', message: 'cannot read private: permission denied (EACCES)' });
      expect(error.fix).toBeUndefined();
      expect(error.advice).toMatch(/run permcheck as root/);
      expect(json.findings.some((f: { rule: string; path: string }) => f.rule === 'world-writable' && f.path === 'public/index.php')).toBe(
        true,
      );
      const text = runCliAs(STRANGER, bin, ['audit', app, ...flags]);
      expect(text.code).toBe(1);
      expect(text.stdout).toContain(
        'running as stranger (uid 21004), not root: what it may not read is reported as walk-error, not audited',
      );
      expect(text.stderr).toBe('');
    });
  },
);

describe('bad input: one line on stderr, exit 2, no stack', () => {
  const tmp = makeTempDir('permcheck-bad-');
  afterAll(() => tmp.cleanup());
  const file = (name: string, content: string) => {
    writeFileSync(join(tmp.path, name), content);
    return join(tmp.path, name);
  };

  it.each<[string, () => string[], RegExp]>([
    [
      'a config that is not JSON',
      () => ['audit', tmp.path, '--config', file('c1.json', '{ "roles": }')],
      /c1\.json:1:12: not valid JSON: value expected$/,
    ],
    [
      'a schema violation',
      () => ['audit', tmp.path, '--config', file('c2.json', '{ "ignore": "x" }')],
      /c2\.json: ignore: Invalid input: expected array, received string$/,
    ],
    ['an unknown key', () => ['audit', tmp.path, '--config', file('c3.json', '{ "rolez": {} }')], /c3\.json: rolez: unknown key/],
    [
      'an unknown role user',
      () => ['audit', tmp.path, '--web-user', 'no-such-user-here'],
      /role web: --web-user 'no-such-user-here': user 'no-such-user-here' not found in \/etc\/passwd and \/etc\/group \(and getent\)$/,
    ],
    [
      'an unknown group',
      () => [
        'audit',
        tmp.path,
        '--config',
        file('c4.json', '{ "roles": { "cli": { "user": "root", "groups": ["no-such-group-here"] } } }'),
      ],
      /roles\.cli\.groups\[0\]: group 'no-such-group-here' not found/,
    ],
    [
      'a bad umask in the config',
      () => ['audit', tmp.path, '--config', file('c5.json', '{ "umask": "0999" }')],
      /c5\.json: umask: umask '0999' has a digit that is not octal/,
    ],
    ['a bad umask flag', () => ['audit', tmp.path, '--umask', 'u=rwz'], /--umask 'u=rwz' has an invalid clause 'u=rwz'/],
    [
      'a bad glob',
      () => ['audit', tmp.path, '--config', file('c6.json', '{ "ignore": ["a{b"] }')],
      /c6\.json: ignore\[0\]: glob 'a\{b' is not a valid glob/,
    ],
    ['a root that does not exist', () => ['audit', join(tmp.path, 'nope')], /'.*nope' does not exist$/],
    [
      'a root that is a file, not an archive',
      () => ['audit', file('plain.txt', '')],
      /plain\.txt: empty, not a tar archive; audit takes the application's root directory, or a tar archive of it$/,
    ],
    ['an unknown flag', () => ['audit', '--colour'], /unknown option '--colour'/],
    [
      'an unknown format',
      () => ['audit', tmp.path, '--format', 'yaml'],
      /argument 'yaml' is invalid. Allowed choices are text, json, sarif, github\.$/,
    ],
    ['--jobs 0', () => ['audit', tmp.path, '--jobs', '0'], /--jobs '0' must be a whole number from 1 to 64$/],
    ['a missing --passwd file', () => ['audit', tmp.path, '--passwd', join(tmp.path, 'none')], /--passwd .*none does not exist$/],
    [
      'a malformed --passwd file',
      () => ['audit', tmp.path, '--passwd', file('passwd', 'root:x:0:0:root:/root:/bin/bash\nbroken line\n')],
      /--passwd .*passwd:2: expected 7 colon-separated fields, found 1$/,
    ],
  ])('%s', (_what, args, message) => {
    const { code, stdout, stderr } = runCli(args());
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr.trim()).toMatch(message);
    expect(stderr).toMatch(/^permcheck: /);
  });

  it('refuses a PERMCHECK_THREADS_AFTER that is not a number of entries, in one line, exit 2', () => {
    const { code, stdout, stderr } = runCli(['audit', tmp.path, '--jobs', '2'], { env: { PERMCHECK_THREADS_AFTER: 'soon' } });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe("permcheck: PERMCHECK_THREADS_AFTER 'soon' must be a whole number of entries\n");
  });

  it('prints usage on stderr and exits 2 without a command, and init refuses a missing directory', () => {
    const bare = runCli([]);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toMatch(/^Usage: permcheck \[options\] \[command\]/);
    const init = runCli(['init', join(tmp.path, 'missing')]);
    expect(init.code).toBe(2);
    expect(init.stderr).toBe(`permcheck: '${join(tmp.path, 'missing')}' is not a directory\n`);
  });

  it('names magento_umask when it holds a bad umask', () => {
    mkdirSync(join(tmp.path, 'mage', 'bin'), { recursive: true });
    writeFileSync(join(tmp.path, 'mage', 'bin', 'magento'), '');
    writeFileSync(join(tmp.path, 'mage', 'magento_umask'), '8\n');
    const { code, stderr } = runCli(['audit', join(tmp.path, 'mage')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^permcheck: .*mage\/magento_umask: '8' has a digit that is not octal/);
  });

  it('keeps the stack of an internal error and asks for a report', async () => {
    const { failureCode } = await import('../../src/cli.js');
    let written = '';
    expect(failureCode(new TypeError('boom'), (text) => (written += text))).toBe(70);
    expect(written).toMatch(
      /^permcheck: internal error, this is a bug; please report it with this output at https:\/\/.*\nTypeError: boom\n\s+at /,
    );
  });
});
