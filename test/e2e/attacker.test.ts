import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, closeSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { describeNeeding, NEEDS_ROOT } from '../helpers/needs.js';
import { makeTempDir } from '../helpers/tmp.js';
import { hasSetpriv, isRoot, STRANGER, writeUserFiles } from '../helpers/users.js';

const hasInotify = spawnSync('inotifywait', ['--help']).status !== null && spawnSync('inotifywait', ['--help']).error === undefined;

/**
 * The attacker of issue 10: a local user who owns var/ of an application that root audits. It waits
 * (inotify) for permcheck to open a directory, then swaps var/s63 for a symlink to a fake /etc whose
 * files are setuid and world-writable, so that any of them reported would show.
 */
describeNeeding({
  [NEEDS_ROOT.setpriv]: isRoot,
  'setpriv (Debian package util-linux)': hasSetpriv(),
  'inotifywait (Debian package inotify-tools)': hasInotify,
})('a non-root attacker racing the walk', () => {
  const tmp = makeTempDir('permcheck-attacker-');
  const app = join(tmp.path, 'app');
  const varDir = join(app, 'var');
  const fake = join(tmp.path, 'fake-etc');
  let flags: string[];
  const BIG = 20_000;

  beforeAll(() => {
    const files = writeUserFiles(tmp.path);
    // The walk alone: the hardcoded-mode scan reads var/ too, and would set the attacker's watch off
    // before the walk gets there (its own reads are checked in scan-php.test.ts).
    const noScan = join(tmp.path, 'no-scan.json');
    writeFileSync(noScan, JSON.stringify({ rules: { 'hardcoded-mode': 'off' } }));
    flags = ['--passwd', files.passwd, '--group', files.group, '--web-user', 'web', '--cli-user', 'root', '--config', noScan];
    mkdirSync(fake);
    for (const name of ['shadow', 'passwd', 'sudoers']) {
      writeFileSync(join(fake, name), 'secret');
      chmodSync(join(fake, name), 0o4666);
    }
    mkdirSync(varDir, { recursive: true });
    writeFileSync(join(app, 'index.php'), '');
    // Enough sibling directories that the walk splits var/ into worker jobs.
    for (let i = 0; i < 64; i++) {
      const dir = join(varDir, `s${String(i).padStart(2, '0')}`);
      mkdirSync(dir);
      const count = i === 63 ? BIG : 3;
      for (let f = 0; f < count; f++) closeSync(openSync(join(dir, `f${f}`), 'w', 0o644));
    }
    spawnSync('chown', ['-R', `${STRANGER.uid}:${STRANGER.gid}`, varDir]);
    // Where the attacker writes what its watch says (outside the audited tree).
    mkdirSync(join(tmp.path, 'attacker'));
    chownSync(join(tmp.path, 'attacker'), STRANGER.uid, STRANGER.gid);
  });
  afterAll(() => tmp.cleanup());

  /** Start the attacker; resolves once its watch is in place. */
  function attacker(watch: string, delaySeconds: number): Promise<ChildProcess> {
    const script = `inotifywait -e open "$1" >/dev/null 2>"$2"; sleep ${delaySeconds}; cd "$3" && mv s63 s63.real && ln -s "$4" s63`;
    const child = spawn(
      'setpriv',
      [
        `--reuid=${STRANGER.uid}`,
        `--regid=${STRANGER.gid}`,
        '--clear-groups',
        '--',
        'bash',
        '-c',
        script,
        'bash',
        watch,
        join(tmp.path, 'attacker', 'watch.log'),
        varDir,
        fake,
      ],
      { stdio: 'ignore' },
    );
    const log = join(tmp.path, 'attacker', 'watch.log');
    return new Promise((resolve) => {
      const started = Date.now();
      const poll = () => {
        const text = spawnSync('cat', [log], { encoding: 'utf8' }).stdout ?? '';
        if (text.includes('Watches established')) resolve(child);
        else if (Date.now() - started > 10_000) throw new Error(`the attacker's watch did not start: ${text}`);
        else setTimeout(poll, 20);
      };
      poll();
    });
  }

  function restore(): void {
    const link = join(varDir, 's63');
    if (lstatSync(link).isSymbolicLink()) {
      rmSync(link);
      renameSync(join(varDir, 's63.real'), link);
    }
    rmSync(join(tmp.path, 'attacker', 'watch.log'), { force: true });
  }

  const timings = [
    { watch: 's63', delay: 0 },
    { watch: 's63', delay: 0.01 },
    { watch: 's63', delay: 0.03 },
    { watch: '.', delay: 0 },
  ];
  // The walk on one thread, var/'s subtrees on worker threads, and the same subtrees walked as jobs
  // on the main thread (what a tree too small for threads gets): each way must hold against the swap.
  const walks = [
    { label: '--jobs 1', jobs: '1', env: {} },
    { label: '--jobs 2', jobs: '2', env: {} },
    { label: '--jobs 2, jobs on the main thread', jobs: '2', env: { PERMCHECK_THREADS_AFTER: String(2 ** 31) } },
  ];
  for (const { label, jobs, env } of walks) {
    for (const { watch, delay } of timings) {
      it(`never reports an entry of the fake /etc, and reports the swap (watch ${watch}, delay ${delay}s, ${label})`, async () => {
        const child = await attacker(join(varDir, watch), delay);
        try {
          const result = runCli(['audit', app, '--format', 'json', '--fail-on', 'never', '--jobs', jobs, ...flags], { env });
          await new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
          const json = JSON.parse(result.stdout);
          const findings = json.findings as { rule: string; path: string; code?: string; message: string }[];
          // The fake files are setuid and world-writable: any of them walked would be reported.
          expect(findings.filter((f) => f.rule === 'special-bit' || f.rule === 'world-writable')).toEqual([]);
          expect(findings.map((f) => f.path).filter((p) => /shadow|passwd|sudoers/.test(p))).toEqual([]);
          const swapped = lstatSync(join(varDir, 's63')).isSymbolicLink();
          expect(swapped).toBe(true);
          const races = findings.filter((f) => f.rule === 'walk-error' && f.code === 'ERACE');
          const sawReal = json.summary.entries > BIG;
          if (watch === 's63' || sawReal) {
            // permcheck was inside var/s63 when it was swapped: it says so, and the exit code too.
            expect(races.map((f) => f.path)).toEqual(['var/s63']);
            expect(races[0]!.message).toMatch(/moved or replaced while permcheck read it/);
            expect(result.code).toBe(3);
          } else {
            // Swapped before permcheck reached it: it saw a symlink, which it never follows.
            expect(json.summary.entries).toBeLessThan(BIG);
          }
        } finally {
          child.kill('SIGKILL');
          restore();
        }
      });
    }
  }

  it('counts every real entry when nobody interferes (the baseline of the races above)', () => {
    chownSync(varDir, STRANGER.uid, STRANGER.gid);
    const result = runCli(['audit', app, '--format', 'json', ...flags]);
    expect(JSON.parse(result.stdout).summary.entries).toBe(2 + 1 + 64 + 63 * 3 + BIG);
  });
});
