import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, type CliResult } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { hasSetpriv, isRoot } from '../helpers/users.js';
import { bashAs, hasCommand, hostAccount, spawnAs, stop, type Account } from '../helpers/attacker.js';

/**
 * The walk's shortcuts of 78a199c, attacked: a name getdents64 lists as a directory is opened at once
 * (O_DIRECTORY|O_NOFOLLOW|O_NONBLOCK) and described by fstat, with no lstat before; a fresh descriptor is
 * listed without lseek; on local file systems a directory's ACLs are read only when flistxattr names one.
 * The attacker is a tenant (Debian's backup account) who owns a directory inside the audited tree and
 * swaps its listed directories, by atomic rename exchanges, for symlinks to root-only directories, FIFOs,
 * files and other directories while root audits and fixes. The careful user compares the native walk with
 * the /proc one (PERMCHECK_NATIVE=0), which takes none of the shortcuts.
 */
const found = hostAccount('backup');
const web = hostAccount('www-data');
const python = '/usr/bin/python3';
const ready = isRoot && hasSetpriv() && found !== undefined && web !== undefined && existsSync(python);
const tenant = found as Account;
const users = ['--web-user', 'www-data', '--cli-user', 'backup', '--cron-user', 'backup', '--no-discover'];
/** What every run must end with: done (0), findings (1), or the tree changed under it (3); never a bug (70) or a hang. */
const FINE = [0, 1, 3];
const RUN_LIMIT_MS = 20_000;

interface Finding {
  rule: string;
  path: string;
  code?: string;
  message: string;
}
interface Report {
  findings: Finding[];
  summary?: { elapsedMs?: number };
}

/** A file with exactly this mode (writeFileSync's mode goes through the umask). */
function put(path: string | Buffer, content: string, mode: number): void {
  writeFileSync(path, content);
  chmodSync(path, mode);
}

function audit(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  return runCli(args, { env, timeout: RUN_LIMIT_MS });
}

/** The report without what may differ between two runs of the same tree (the time it took). */
function comparable(result: CliResult): Report {
  expect(FINE, result.stderr).toContain(result.code);
  const report = JSON.parse(result.stdout) as Report;
  delete report.summary?.elapsedMs;
  return report;
}

/**
 * The tenant's swapper: for the time given, exchanges (renameat2 RENAME_EXCHANGE, so both names always
 * exist) a random dNN with one of its decoys: a symlink to /root, a symlink to root's vault, a FIFO, a
 * file, another directory. Every exchange permutes what the names are; none ever leaves the tree.
 */
const SWAPPER = `
import ctypes, os, random, sys, time
libc = ctypes.CDLL(None, use_errno=True)
os.chdir(sys.argv[1])
end = time.time() + float(sys.argv[2])
count = int(sys.argv[3])
decoys = ['root', 'vault', 'fifo', 'file', 'other']
while time.time() < end:
    d = 'd%02d' % random.randrange(count)
    libc.renameat2(-100, d.encode(), -100, (d + '.' + random.choice(decoys)).encode(), 2)
`;

/** The names that may appear in a report of the raced tree: nothing of /root, nothing of the vault. */
const TREE_PATH = /^(\.|index\.php|t|t\/d\d\d(\.(root|vault|fifo|file|other))?(\/(f\d|o\d|s|s\/g\d))?)$/;

describe.skipIf(!ready)('a tenant who swaps listed directories while root audits (needs backup, www-data and python3)', () => {
  // Made when the suite runs, not when it is collected: a filtered run (-t) leaves nothing behind.
  let tmp: ReturnType<typeof makeTempDir>;
  let vault: string;
  const secretName = 'SECRET_vault_marker.php';
  const DIRS = 16;

  beforeAll(() => {
    tmp = makeTempDir('permcheck-adv-dtype-');
    vault = join(tmp.path, 'vault');
    // Root's vault: 0700, with a file any fix would want to change (world-writable).
    mkdirSync(vault, { mode: 0o700 });
    writeFileSync(join(vault, secretName), "<?php define('VAULT_KEY', 'x');\n");
    chmodSync(join(vault, secretName), 0o666);
  });
  afterAll(() => tmp?.cleanup());

  /** site/ (root's) with t/ (the tenant's): dNN directories with files and a subdirectory, and their decoys. */
  function site(name: string): string {
    const root = join(tmp.path, name);
    mkdirSync(root, { mode: 0o755 });
    put(join(root, 'index.php'), '<?php\n', 0o644);
    const t = join(root, 't');
    mkdirSync(t, { mode: 0o755 });
    for (let i = 0; i < DIRS; i++) {
      const d = join(t, `d${String(i).padStart(2, '0')}`);
      mkdirSync(join(d, 's'), { recursive: true });
      for (const f of ['f1', 'f2']) put(join(d, f), 'x', 0o666);
      put(join(d, 's', 'g1'), 'x', 0o666);
      symlinkSync('/root', `${d}.root`);
      symlinkSync(vault, `${d}.vault`);
      execFileSync('mkfifo', ['-m', '0666', `${d}.fifo`]);
      put(`${d}.file`, 'x', 0o666);
      mkdirSync(`${d}.other`);
      put(join(`${d}.other`, 'o1'), 'x', 0o666);
    }
    execFileSync('chown', ['-R', '-h', `${tenant.uid}:${tenant.gid}`, t]);
    return root;
  }

  /** What a fix or a walk that left the tree could change or reveal: the vault and /root themselves. */
  function outside(): string[] {
    const line = (path: string) => {
      const stats = lstatSync(path);
      return `${path} ${stats.mode.toString(8)} ${stats.uid}:${stats.gid} ${stats.ctimeMs}`;
    };
    return [line('/root'), line(vault), line(join(vault, secretName)), ...readdirSync('/root').map((name) => line(join('/root', name)))];
  }

  function expectInside(result: CliResult): Report {
    expect(result.signal, `hung or killed: ${result.stderr}`).toBeNull();
    expect(FINE, result.stderr).toContain(result.code);
    expect(result.stdout + result.stderr).not.toContain(secretName);
    expect(result.stdout + result.stderr).not.toContain('VAULT_KEY');
    const report = JSON.parse(result.stdout) as Report;
    expect(report.findings.map((f) => f.path).filter((path) => !TREE_PATH.test(path))).toEqual([]);
    return report;
  }

  async function raced(root: string, seconds: number, run: () => void): Promise<number> {
    let attack: ChildProcess | undefined;
    let runs = 0;
    try {
      attack = spawnAs(tenant, python, ['-c', SWAPPER, join(root, 't'), String(seconds + 2), String(DIRS)]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const end = Date.now() + seconds * 1000;
      while (Date.now() < end || runs < 2) {
        run();
        runs++;
      }
    } finally {
      stop(attack);
    }
    return runs;
  }

  for (const jobs of ['1', '2']) {
    it(`audit --jobs ${jobs}: nothing of /root or the vault is ever reported, read or hung on; exit 0/1/3`, async () => {
      const root = site(`audit-${jobs}`);
      const before = outside();
      let races = 0;
      const runs = await raced(root, 2, () => {
        const report = expectInside(audit(['audit', root, '--format', 'json', '--fail-on', 'never', '--jobs', jobs, ...users]));
        races += report.findings.filter((f) => f.code === 'ERACE').length;
      });
      expect(runs).toBeGreaterThanOrEqual(2);
      expect(outside()).toEqual(before);
      console.info(`audit --jobs ${jobs}: ${runs} runs under the swapper, ${races} walk-error ERACE findings`);
    }, 60_000);
  }

  it('fix --dry-run and fix --yes on a raced copy change nothing outside the tree and never name it', async () => {
    const root = site('fix');
    const before = outside();
    const journal = makeTempDir('permcheck-adv-dtype-journal-');
    let n = 0;
    try {
      const runs = await raced(root, 2, () => {
        const dry = audit(['fix', root, '--dry-run', ...users]);
        expect(dry.signal, dry.stderr).toBeNull();
        expect(FINE, dry.stderr).toContain(dry.code);
        expect(dry.stdout + dry.stderr).not.toContain(secretName);
        // The plan names entries of the tree only (t/dNN.vault may be a directory by now): never root's or the vault's paths.
        expect(dry.stdout.split('\n').filter((line) => line.includes(vault) || /(^|[\s'])\/root\b/.test(line))).toEqual([]);
        const applied = audit(['fix', root, '--yes', '--journal', join(journal.path, `j${n++}`), ...users]);
        expect(applied.signal, applied.stderr).toBeNull();
        expect(FINE, applied.stderr).toContain(applied.code);
        expect(applied.stdout + applied.stderr).not.toContain(secretName);
        // The tenant puts its files back to 0666 so the next fix has work to do under the race. As the
        // tenant, never as root: root's chmod on a path the tenant swaps follows its symlink (to /root).
        bashAs(tenant, 'find "$1" -type f -exec chmod 0666 {} + 2>/dev/null', join(root, 't'));
      });
      expect(runs).toBeGreaterThanOrEqual(2);
    } finally {
      journal.cleanup();
    }
    expect(outside()).toEqual(before);
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------------

const hasAcl = hasCommand('setfacl');

/** setfacl, as root, failing the test when it fails. */
function setfacl(...args: string[]): void {
  execFileSync('setfacl', args);
}

/** Set a user.* xattr: setfattr (Debian package attr) where installed, else python3's os.setxattr. */
function setUserXattr(path: string): boolean {
  if (spawnSync('setfattr', ['-n', 'user.x', '-v', '1', path]).status === 0) return true;
  if (!existsSync(python)) return false;
  return spawnSync(python, ['-c', 'import os,sys; os.setxattr(sys.argv[1], "user.x", b"1")', path]).status === 0;
}

/**
 * A tree with ACLs and default ACLs at many depths, and directories without: a/b/c/d, three wide, where
 * every third directory has an access ACL giving www-data write, every fourth a default ACL for backup,
 * one has both, one only a user.* attribute, and files carry ACLs too.
 */
function aclTree(root: string): void {
  mkdirSync(root, { mode: 0o755, recursive: true });
  put(join(root, 'index.php'), '<?php\n', 0o644);
  let k = 0;
  const grow = (dir: string, depth: number) => {
    for (const name of ['a', 'b', 'c']) {
      const sub = join(dir, name);
      mkdirSync(sub, { mode: 0o755 });
      put(join(sub, 'f.php'), '<?php\n', 0o644);
      k++;
      if (k % 3 === 0) setfacl('-m', 'u:www-data:rwx', sub);
      if (k % 4 === 0) setfacl('-d', '-m', 'g:backup:rwx', sub);
      if (k % 7 === 0) setfacl('-m', 'u:www-data:rw', join(sub, 'f.php'));
      if (k % 11 === 0) setfacl('-m', 'g:backup:rwx,u:backup:rx', '-d', '-m', 'o::---', sub);
      if (depth < 3) grow(sub, depth + 1);
    }
  };
  grow(root, 0);
  // A directory whose only attribute is a user.* one, and its twin without: judged alike.
  for (const name of ['xattr-only', 'xattr-twin']) {
    mkdirSync(join(root, name), { mode: 0o755 });
    put(join(root, name, 'f.php'), '<?php\n', 0o644);
  }
  expect(setUserXattr(join(root, 'xattr-only'))).toBe(true);
  // A directory whose ACL grants nothing beyond its mode (an ACL minimal in effect, but a real xattr).
  mkdirSync(join(root, 'zz-acl-last'), { mode: 0o755 });
  setfacl('-m', 'u:www-data:rwx', join(root, 'zz-acl-last'));
}

/** Native walk against the /proc walk, one and two threads: identical JSON but for the time taken. */
function expectSameBothWays(root: string, runAs: string[] = []): Report {
  const run = (jobs: string, native: boolean) =>
    comparable(
      runAs.length
        ? (() => {
            const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', PERMCHECK_THREADS_AFTER: '0' };
            if (!native) env.PERMCHECK_NATIVE = '0';
            const r = spawnSync(
              'setpriv',
              [...runAs, process.execPath, BIN, 'audit', root, '--format', 'json', '--fail-on', 'never', '--jobs', jobs, ...users],
              { encoding: 'utf8', env, timeout: RUN_LIMIT_MS, maxBuffer: 1 << 28 },
            );
            return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
          })()
        : audit(
            ['audit', root, '--format', 'json', '--fail-on', 'never', '--jobs', jobs, ...users],
            native ? {} : { PERMCHECK_NATIVE: '0' },
          ),
    );
  const reference = run('1', false);
  expect(run('1', true)).toEqual(reference);
  expect(run('2', true)).toEqual(reference);
  return reference;
}

describe.skipIf(!(isRoot && hasAcl && web !== undefined && found !== undefined))(
  'ACLs read through flistxattr agree with the /proc walk (needs acl)',
  () => {
    let tmp: ReturnType<typeof makeTempDir>;
    let mnt: string;
    let mounted = false;
    let mountSkip = '';

    beforeAll(() => {
      tmp = makeTempDir('permcheck-adv-dtype-acl-');
      mnt = join(tmp.path, 'site-tmpfs', 'mnt');
      mkdirSync(mnt, { recursive: true });
      const result = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m,mode=0755', 'permcheck-adv', mnt], { encoding: 'utf8' });
      mounted = result.status === 0;
      if (!mounted) mountSkip = `mount -t tmpfs is not permitted here: ${result.stderr.trim()}`;
    });
    afterAll(() => {
      if (mounted) spawnSync('umount', [mnt]);
      tmp?.cleanup();
    });

    it('on the local file system (ext4/xfs/btrfs where CI runs): ACLs and default ACLs at every depth, the same findings', () => {
      const root = join(tmp.path, 'site-local');
      aclTree(root);
      const report = expectSameBothWays(root);
      // The ACLs count: a deep directory whose ACL lets www-data write is reported, and the user.* one is not.
      const paths = report.findings.map((f) => f.path);
      expect(paths.some((path) => path.split('/').length >= 3 && /^[abc]\//.test(path))).toBe(true);
      expect(paths).toContain('zz-acl-last');
      const rulesAt = (dir: string) =>
        report.findings
          .filter((f) => f.path === dir || f.path.startsWith(`${dir}/`))
          .map((f) => `${f.rule} ${f.path.slice(dir.length)}`)
          .sort();
      expect(rulesAt('xattr-only')).toEqual(rulesAt('xattr-twin'));
    }, 60_000);

    it('on a tmpfs mounted in the tree (its root read by name, the rest through the list): the same findings both ways', (context) => {
      if (!mounted) return context.skip(mountSkip);
      aclTree(join(mnt, 'app'));
      writeFileSync(join(tmp.path, 'site-tmpfs', 'index.php'), '<?php\n');
      const across = expectSameBothWays(join(tmp.path, 'site-tmpfs'));
      expect(across.findings.map((f) => f.path)).toContain('mnt/app/zz-acl-last');
    }, 60_000);

    it('ACLs added and removed while the audit runs: no crash, a whole report every time', async () => {
      const root = join(tmp.path, 'site-toggle');
      aclTree(root);
      const dirs = ['a', 'a/b', 'a/b/c', 'b/c/a', 'c/c/c/c', 'xattr-only', 'zz-acl-last'].map((d) => join(root, d));
      const toggle = `end=$((SECONDS+3)); while [ $SECONDS -lt $end ]; do for d in "$@"; do setfacl -m u:www-data:rwx,d:g:backup:rx "$d"; setfacl -b "$d"; done; done`;
      const toggler = spawnRoot('bash', ['-c', toggle, 'bash', ...dirs]);
      let runs = 0;
      try {
        const end = Date.now() + 800;
        while (Date.now() < end || runs < 2) {
          for (const native of [true, false]) {
            const result = audit(
              ['audit', root, '--format', 'json', '--fail-on', 'never', '--jobs', String((runs % 2) + 1), ...users],
              native ? {} : { PERMCHECK_NATIVE: '0' },
            );
            expect(result.signal, result.stderr).toBeNull();
            expect(FINE, result.stderr).toContain(result.code);
            expect(Array.isArray((JSON.parse(result.stdout) as Report).findings)).toBe(true);
            runs++;
          }
        }
      } finally {
        stop(toggler);
      }
      console.info(`ACL toggling: ${runs} audits`);
    }, 60_000);
  },
);

/** A background process of root's own, in its own process group (stop() ends it and its children). */
function spawnRoot(command: string, args: string[]): ChildProcess {
  return spawn(command, args, { stdio: 'ignore', detached: true });
}

// ---------------------------------------------------------------------------------------------------

describe.skipIf(!(isRoot && hasSetpriv() && web !== undefined && found !== undefined))('what skips or defeats the shortcut', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  const mounts: string[] = [];
  beforeAll(() => {
    tmp = makeTempDir('permcheck-adv-dtype-other-');
  });
  afterAll(() => {
    for (const path of mounts.reverse()) spawnSync('umount', ['-l', path]);
    tmp?.cleanup();
  });

  it('a non-root auditor (www-data) over unreadable, search-only and readable directories: the same findings both ways', () => {
    const root = join(tmp.path, 'unreadable');
    mkdirSync(root, { mode: 0o755 });
    for (const [name, mode] of [
      ['closed', 0o700],
      ['search-only', 0o711],
      ['read-only', 0o744],
      ['open', 0o755],
    ] as const) {
      mkdirSync(join(root, name, 'inner'), { recursive: true });
      put(join(root, name, 'inner', 'f.php'), '<?php\n', 0o666);
      put(join(root, name, 'g.php'), '<?php\n', 0o644);
      chmodSync(join(root, name), mode);
    }
    if (hasAcl) setfacl('-m', 'u:www-data:---', join(root, 'open', 'inner'));
    const report = expectSameBothWays(root, [`--reuid=${web!.uid}`, `--regid=${web!.gid}`, '--clear-groups', '--']);
    expect(report.findings.some((f) => f.rule === 'walk-error' && f.path === 'closed')).toBe(true);
  }, 60_000);

  it('directories whose names are not UTF-8 (no shortcut) among ones that are, with ACLs: the same findings both ways', () => {
    const root = join(tmp.path, 'bytes');
    mkdirSync(root, { mode: 0o755 });
    const rootBytes = Buffer.from(root);
    const raw = (...parts: (string | Buffer)[]) =>
      Buffer.concat([rootBytes, ...parts.flatMap((p) => [Buffer.from('/'), typeof p === 'string' ? Buffer.from(p) : p])]);
    const bad = Buffer.from([0x64, 0xff, 0xfe]);
    mkdirSync(raw(bad));
    chmodSync(raw(bad), 0o777);
    mkdirSync(raw(bad, 'sub'), { mode: 0o755 });
    put(raw(bad, 'sub', 'f.php'), '<?php\n', 0o666);
    mkdirSync(raw('ok'), { mode: 0o755 });
    mkdirSync(raw('ok', bad));
    chmodSync(raw('ok', bad), 0o775);
    if (hasAcl) {
      setfacl('-m', 'u:www-data:rwx', join(root, 'ok'));
      // Names that are not UTF-8 reach setfacl through bash's $'...' bytes.
      const acl = spawnSync(
        'bash',
        ['-c', "setfacl -m u:www-data:rwx $'d\\xff\\xfe/sub' && setfacl -d -m g:backup:rwx $'ok/d\\xff\\xfe'"],
        { cwd: root },
      );
      expect(acl.status).toBe(0);
    }
    const report = expectSameBothWays(root);
    expect(report.findings.length).toBeGreaterThan(0);
  }, 60_000);

  it('a listed directory with a tmpfs mounted on it, mounted and unmounted while audits run: exit 0/1/3, never a bug', async (context) => {
    const root = join(tmp.path, 'mounts');
    mkdirSync(root, { mode: 0o755 });
    for (let i = 0; i < 6; i++) {
      mkdirSync(join(root, `m${i}`, 'below'), { recursive: true });
      put(join(root, `m${i}`, 'below', 'f.php'), '<?php\n', 0o666);
    }
    const probe = spawnSync('mount', ['-t', 'tmpfs', 'permcheck-adv', join(root, 'm0')], { encoding: 'utf8' });
    if (probe.status !== 0) return context.skip(`mount -t tmpfs is not permitted here: ${probe.stderr.trim()}`);
    mounts.push(join(root, 'm0'));
    // A mount point in the tree: entered (its root is what the open reaches), the same both ways.
    put(join(root, 'm0', 'top.php'), '<?php\n', 0o666);
    const still = expectSameBothWays(root);
    expect(still.findings.map((f) => f.path)).toContain('m0/top.php');
    const flip = `end=$((SECONDS+3)); while [ $SECONDS -lt $end ]; do for d in "$@"; do mount -t tmpfs permcheck-adv "$d" && umount "$d"; done; done`;
    const targets = [1, 2, 3, 4, 5].map((i) => join(root, `m${i}`));
    const flipper = spawnRoot('bash', ['-c', flip, 'bash', ...targets]);
    let runs = 0;
    try {
      const end = Date.now() + 800;
      while (Date.now() < end || runs < 2) {
        const result = audit(['audit', root, '--format', 'json', '--fail-on', 'never', '--jobs', String((runs % 2) + 1), ...users]);
        expect(result.signal, result.stderr).toBeNull();
        expect(FINE, result.stderr).toContain(result.code);
        runs++;
      }
    } finally {
      stop(flipper);
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const target of targets) while (spawnSync('mountpoint', ['-q', target]).status === 0) spawnSync('umount', ['-l', target]);
    }
    console.info(`mount flipping: ${runs} audits`);
  }, 60_000);
});
