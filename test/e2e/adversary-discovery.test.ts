import { spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, runCliJson } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { hasSetpriv, isRoot } from '../helpers/users.js';
import { createAccount, hasCommand, removeAccount, runAs, spawnAs, stop, type Account } from '../helpers/attacker.js';

/**
 * Issue 10, role discovery: with no config and no --X-user flags, permcheck asks the host who runs
 * the application (php-fpm masters found in /proc and the pool files their titles name, user
 * crontabs). A local user who owns nothing in the application controls some of that: its own
 * crontab (crontab(1)), and processes it starts with any name and any title. None of it should make
 * that user a role, make permcheck read a file of the user's choosing, or hang it.
 *
 * The fake php-fpm runs in its own PID namespace with the permcheck that looks at it (unshare
 * --pid --mount-proc): permcheck skips processes of nested namespaces, so audits run by other test
 * files at the same time never see it, and the kernel ends it with the namespace.
 */
const NEEDS: [string, string][] = [
  ['useradd', 'passwd'],
  ['crontab', 'cron'],
  ['unshare', 'util-linux'],
];
const missing = NEEDS.filter(([command]) => !hasCommand(command)).map(([, pkg]) => pkg);
const ready = isRoot && hasSetpriv() && missing.length === 0 && existsSync('/var/spool/cron/crontabs');
const why = ready ? '' : ` (skipped: needs root${missing.length ? ` and the Debian packages ${missing.join(', ')}` : ''})`;

interface RolesJson {
  roles: Record<string, { user: string; umask: string; sources: { text: string; pid?: number }[] }>;
  notes: string[];
}

describe.skipIf(!ready)(`discovery when a local user plays the host${why}`, () => {
  const tmp = makeTempDir('permcheck-adv-discovery-');
  const app = join(tmp.path, 'app');
  const den = join(tmp.path, 'attacker');
  const fakeFpm = join(den, 'php-fpm8.2');
  const rootOdd = join(tmp.path, 'odd-root.conf');
  const cronShell = join(tmp.path, 'cron');
  let attacker: Account;

  beforeAll(() => {
    attacker = createAccount('pcadv');
    // A Laravel application deployed by root; the attacker owns nothing in it.
    for (const dir of ['bootstrap/cache', 'storage/logs', 'public']) mkdirSync(join(app, dir), { recursive: true });
    writeFileSync(join(app, 'artisan'), '<?php\n');
    writeFileSync(join(app, 'bootstrap/app.php'), '<?php\n');
    writeFileSync(join(app, 'public/index.php'), '<?php\n');
    // The attacker's own directory: any binary named php-fpm8.2 (here sleep), and pool files.
    mkdirSync(den);
    copyFileSync('/bin/sleep', fakeFpm);
    chmodSync(fakeFpm, 0o755);
    writeFileSync(join(den, 'pool.conf'), `[global]\n[www]\nuser = ${attacker.name}\nlisten = /run/php/php8.2-fpm.sock\n`);
    writeFileSync(join(den, 'odd.conf'), `[global]\n[p##[error]\u202ex]\nuser = ${attacker.name}\nlisten = /run/php/x.sock\n`);
    spawnSync('chown', ['-R', `${attacker.uid}:${attacker.gid}`, den]);
    // The same odd pool file, but root's: what a master root runs may name.
    copyFileSync(join(den, 'odd.conf'), rootOdd);
    // A shell named cron, run by root: the parent a user's job has under cron (its per-job CRON child).
    copyFileSync('/bin/bash', cronShell);
    chmodSync(cronShell, 0o755);
  });
  afterAll(() => {
    removeAccount(attacker);
    tmp.cleanup();
  });

  /**
   * Run permcheck in a PID namespace where the attacker (or, with `asRoot`, root: a master whose word
   * counts) runs a "php-fpm master" whose title names `conf`.
   */
  function withFakeMaster(
    conf: string,
    args: string[],
    asRoot = false,
    underCron = false,
  ): { code: number | null; stdout: string; stderr: string } {
    const start =
      'setpriv --reuid="$1" --regid="$2" --clear-groups -- bash -c \'exec -a "php-fpm: master process ($1)" "$2" 60\' bash "$3" "$4"';
    const script = [
      // Under cron, the fake master's parent is a root process named cron, as a crontab job's is.
      underCron ? `"$CRON_SHELL" -c '${start.replace(/'/g, "'\\''")} & wait' cron "$1" "$2" "$3" "$4" &` : `${start} &`,
      // Until its title is in place (exec has happened).
      'for i in $(seq 100); do grep -qx php-fpm8.2 /proc/[0-9]*/comm 2>/dev/null && break; sleep 0.05; done',
      'shift 4; NO_COLOR=1 "$@"',
    ].join('\n');
    const result = spawnSync(
      'unshare',
      [
        '--pid',
        '--fork',
        '--mount-proc',
        'bash',
        '-c',
        script,
        'bash',
        String(asRoot ? 0 : attacker.uid),
        String(asRoot ? 0 : attacker.gid),
        conf,
        fakeFpm,
        process.execPath,
        BIN,
        ...args,
      ],
      { encoding: 'utf8', timeout: 30_000, env: { ...process.env, CRON_SHELL: cronShell } },
    );
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  // Failed while read-cron.ts read every user crontab and cron-roles.ts made the user with the most
  // jobs naming the application the cron role, whoever that was (anyone may install a crontab): the
  // audit then told root to `chgrp -R <attacker> storage` and `setfacl -m u:<attacker>:rwX
  // bootstrap/cache` (PHP that Laravel includes). A user crontab now counts only for root, the runner,
  // the owner of the application root and users a flag or the trusted config names; the others are a
  // note that names the flag binding them on purpose.
  it("a local user's own crontab naming the application does not make that user a role; it is one escaped note (regression)", () => {
    const installed = runAs(attacker, 'crontab', ['-'], `@reboot umask 007; true ${app}/artisan schedule:run\n`);
    expect(installed.status).toBe(0);
    try {
      const { json } = runCliJson<RolesJson>(['roles', app, '--json']);
      expect(Object.values(json.roles).map((role) => role.user)).not.toContain(attacker.name);
      // crontab(1) puts its own comment lines first: the job's line number is the spool file's.
      expect(json.notes.filter((note) => note.includes(attacker.name)).map((note) => note.replace(/:\d+\)/, ':N)'))).toEqual([
        `crontab of ${attacker.name} (/var/spool/cron/crontabs/${attacker.name}:N) works in ${app}, but any user may install a crontab: ` +
          `one decides a role only for root, you, the owner of ${app} and users a flag or the config names; ` +
          `if ${attacker.name} runs the application's jobs, pass --cron-user ${attacker.name}`,
      ]);
      const text = runCli(['roles', app]);
      expect(text.stdout.split('\n').filter((line) => line.includes(attacker.name))).toEqual([
        `  - ${json.notes.find((note) => note.includes(attacker.name))}`,
      ]);
      const audit = runCliJson<{ findings: { fix?: string }[] }>(['audit', app, '--format', 'json', '--fail-on', 'never']);
      expect(audit.json.findings.filter((f) => f.fix?.includes(attacker.name))).toEqual([]);
      expect(json.roles.cron!.umask).toBe('0022');
      // Bound on purpose, the same crontab counts: its job's umask is the cron role's.
      const bound = runCliJson<RolesJson>(['roles', app, '--json', '--cron-user', attacker.name]);
      expect(bound.json.roles.cron).toMatchObject({ user: attacker.name, umask: '0007' });
      expect(bound.json.roles.cron!.sources.at(-1)!.text).toMatch(/^umask 0007 in the job \(\/var\/spool\/cron\/crontabs\//);
      expect(bound.json.notes.filter((note) => note.includes(attacker.name))).toEqual([]);
    } finally {
      runAs(attacker, 'crontab', ['-r']);
    }
  });

  // Failed while read-proc.ts kept any process whose name starts with php-fpm, whoever ran it
  // (read-fpm.ts reads the configuration its title names; web-role.ts prefers a running pool). A
  // service process now counts only when root or the runner runs it, systemd runs it in
  // system.slice, or its parent counts.
  it('a process the attacker names php-fpm, with a title naming its own pool file, does not make it the web role (regression)', () => {
    const result = withFakeMaster(join(den, 'pool.conf'), ['roles', app, '--json']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as RolesJson;
    expect(json.roles.web!.user).not.toBe(attacker.name);
    // Nor does its process decide the web role's umask.
    expect(json.roles.web!.sources.filter((source) => source.pid !== undefined)).toEqual([]);
  });

  // Failed while a process counted when its parent did: a user's crontab job runs under cron's per-job
  // child, a root process named cron, so a fake master started from `crontab -` counted, and so did the
  // attacker's pool file it named. `permcheck fix --yes` then gave the attacker's group .env.
  it("a fake master a user's cron job starts does not make that user the web role (regression)", () => {
    const result = withFakeMaster(join(den, 'pool.conf'), ['roles', app, '--json'], false, true);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as RolesJson;
    expect(json.roles.web!.user).not.toBe(attacker.name);
    expect(json.roles.web!.sources.filter((source) => source.pid !== undefined)).toEqual([]);
  });

  // A master root runs, naming a pool file the attacker owns: the file decides nothing.
  it("a pool file someone else can change decides nothing, even named by root's master", () => {
    const result = withFakeMaster(join(den, 'pool.conf'), ['roles', app, '--json'], true);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as RolesJson;
    expect(json.roles.web!.user).not.toBe(attacker.name);
  });

  // Failed the same way: the title's path was read as root, whatever it was, and pieces of it were
  // printed (section names as pool names, user = and group = values), from a file the attacker cannot read.
  it('a root-only file named in such a title is not read: nothing of it reaches the output (regression)', () => {
    const secret = join(tmp.path, 'secret.ini');
    writeFileSync(secret, '[client-7f3a]\nuser = dbadmin-7f3a\ngroup = token-7f3a\npassword = hunter2\n', { mode: 0o600 });
    const text = withFakeMaster(secret, ['roles', app]);
    const json = withFakeMaster(secret, ['roles', app, '--json']);
    expect(text.code).toBe(0);
    for (const output of [text.stdout, text.stderr, json.stdout, json.stderr]) expect(output).not.toMatch(/7f3a/);
  });

  // Failed while the crontab above counted: init writes what discovery found into a root-owned
  // config, which every later audit trusts, so the attacker's crontab made it the config's cron user.
  it('init writes no user that only an attacker-controlled source named (regression)', () => {
    expect(runAs(attacker, 'crontab', ['-'], `@reboot true ${app}/artisan schedule:run\n`).status).toBe(0);
    const config = join(app, 'permcheck.config.json');
    try {
      const result = withFakeMaster(join(den, 'pool.conf'), ['init', app]);
      expect(result.code).toBe(0);
      expect(readFileSync(config, 'utf8')).not.toContain(attacker.name);
      // What it left out, it says, escaped like every note init prints.
      expect(result.stdout).toContain(`note: crontab of ${attacker.name} (`);
    } finally {
      runAs(attacker, 'crontab', ['-r']);
      spawnSync('rm', ['-f', config]);
    }
  });

  // Failed while init printed discovery's notes with ctx.out, unescaped (roles escapes the same notes).
  it('init escapes what it prints from a pool file: no raw ##[ or bidi override (regression)', () => {
    const config = join(app, 'permcheck.config.json');
    try {
      const result = withFakeMaster(rootOdd, ['init', app], true);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/pool p/);
      expect(result.stdout).not.toMatch(/##\[|\u202e/);
    } finally {
      spawnSync('rm', ['-f', config]);
    }
  });

  // A pool name read from a file that a master run by root names (an odd one, but root's): printed escaped.
  it('roles escapes what it prints from a pool file (regression)', () => {
    const result = withFakeMaster(rootOdd, ['roles', app], true);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/pool p##\\x5berror\]\\u202ex/);
    expect(result.stdout).not.toMatch(/##\[|\u202e/);
  });

  // Failed while HostFiles.read() stat()ed a path, then readFileSync()ed it by path again: between
  // the two the attacker swapped a regular file for a FIFO, and the open blocked forever (on the CLI,
  // with the fake master above naming the flipping path, 3 runs of 15 hung in open(2), wchan
  // wait_for_partner, and SIGINT did not end them). It now opens without blocking, then fstat()s what
  // it opened. Here the same function is called in a loop, in a child, to meet the race within seconds.
  it('a pool file swapped for a FIFO between stat and read cannot hang discovery (regression)', () => {
    const flipping = join(den, 'flip.conf');
    writeFileSync(join(den, 'regular.conf'), '[global]\n');
    spawnSync('mkfifo', [join(den, 'fifo')]);
    spawnSync('chown', ['-R', `${attacker.uid}:${attacker.gid}`, den]);
    const flipper = `
      const { symlinkSync, renameSync } = require('node:fs');
      process.chdir(${JSON.stringify(den)});
      for (;;) {
        symlinkSync('regular.conf', 'a.tmp'); renameSync('a.tmp', 'flip.conf');
        symlinkSync('fifo', 'b.tmp'); renameSync('b.tmp', 'flip.conf');
      }`;
    let attack: ChildProcess | undefined;
    try {
      attack = spawnAs(attacker, process.execPath, ['-e', flipper]);
      const module = fileURLToPath(new URL('../../dist/discover/host-files.js', import.meta.url));
      const reader = `
        const { HostFiles } = await import(process.argv[1]);
        const files = new HostFiles('/', []);
        const end = Date.now() + 2000;
        while (Date.now() < end) files.read(process.argv[2]);`;
      const result = spawnSync(process.execPath, ['--input-type=module', '-e', reader, module, flipping], { timeout: 6_000 });
      expect(result.signal).toBeNull();
      expect(result.status).toBe(0);
    } finally {
      stop(attack);
    }
  });

  it('without its crontab or processes the attacker is no role (the control for the tests above)', () => {
    expect(runCli(['roles', app, '--json']).stdout).not.toContain(attacker.name);
  });
});
