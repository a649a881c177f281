import { execFileSync, spawnSync } from 'node:child_process';
import { linkSync, lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BIN, runCli, runCliJson } from '../helpers/cli.js';
import { describeNeeding, NEEDS_ROOT } from '../helpers/needs.js';
import { makeTempDir } from '../helpers/tmp.js';
import { buildTree, type EntrySpec } from '../helpers/tree.js';
import { CRON, DEPLOY, isRoot, roleFlags, STRANGER, WEB, writeUserFiles } from '../helpers/users.js';

const hasAcl = spawnSync('setfacl', ['--version']).status === 0 && spawnSync('getfacl', ['--version']).status === 0;
const WWW = 21100;
const JOBS = 21200;

interface Finding {
  rule: string;
  path: string;
  role?: string;
  fix?: string;
  noFix?: string;
}

const CREDENTIAL = "<?php\ndefine('DB_PASSWORD', 'never-printed');\n";
const STUB = "<?php\nrequire '/etc/app/config.php';\n";

/**
 * Plans are remembered per policy and entry shape (type, mode, owner, group, a default ACL above, the
 * searches needed below): an entry's fix must not depend on which entry of the same shape the walk
 * planned first. Each pair below shares a shape and differs in what the shape leaves out (another
 * name outside the tree, what the file holds, an ACL, the file type, a role kept out above it, what
 * is below a directory); the walk visits the pair in one order under o1/ and in the other under o2/.
 *
 * The oracle is the fix computed apart: `permcheck fix --only` on a fresh copy with only one member
 * of each pair in scope, so no entry of the same shape but a different outcome was planned before it.
 * The whole tree's fix must leave every entry as that run does, and print the same fix for it.
 */
describeNeeding({ [NEEDS_ROOT.chown]: isRoot, 'setfacl and getfacl (Debian package acl)': hasAcl })(
  'remembered plans: each entry gets the fix it gets alone',
  () => {
    let tmp: ReturnType<typeof makeTempDir>;
    let flags: string[];
    let tree: string;
    /** One member of each pair: the one whose outcome differs from the plain shape's. */
    const special: string[] = [];
    /** The other member: the plain entry of the same shape. */
    const plain: string[] = [];

    beforeAll(() => {
      tmp = makeTempDir('permcheck-adv-memo-');
      tree = join(tmp.path, 'tree');
      const users = writeUserFiles(tmp.path);
      const config = join(tmp.path, 'permcheck.config.json');
      writeFileSync(
        config,
        JSON.stringify({
          // A custom role, so four roles and others share each plan.
          roles: { queue: { user: 'viewer' } },
          paths: [
            { match: '**', access: { web: 'read', cli: 'write', others: 'none' } },
            { match: ['var/**', 'o1/pol/a', 'o2/pol/b'], access: { web: 'write', queue: 'write' } },
            { match: 'conf/**/*.php', secret: true },
            { match: 'keys/**', access: { web: 'none' } },
            { match: 'keys/*/pub/**', access: { web: 'read' } },
          ],
        }),
      );
      flags = [...roleFlags(users), '--config', config];

      const dir = (path: string, mode = 0o755, uid = 0, gid = 0): EntrySpec => ({ path, type: 'dir', mode, uid, gid });
      const file = (path: string, mode: number, uid: number, gid: number, content = 'x\n'): EntrySpec => ({
        path,
        type: 'file',
        mode,
        uid,
        gid,
        content,
      });
      const entries: EntrySpec[] = [dir('conf'), dir('conf/o1'), dir('conf/o2'), dir('var'), dir('keys')];
      for (const order of ['o1', 'o2']) {
        // Under o1 the walk meets the special member first (named a), under o2 the plain one.
        const [s, p] = order === 'o1' ? ['a', 'b'] : ['b', 'a'];
        const pair = (specialEntry: EntrySpec, plainEntry: EntrySpec) => {
          entries.push(specialEntry, plainEntry);
          special.push(specialEntry.path);
          plain.push(plainEntry.path);
        };
        // Each pair's shape (owner, group, mode) differs from every other pair's in two parts at least,
        // so a key that left one part out would still not join two pairs in the runs apart.
        for (const sub of ['link', 'acl', 'fifo', 'mode', 'uid', 'gid', 'pol', 'suid']) entries.push(dir(`${order}/${sub}`));
        // Another name outside the tree: a hard-linked file is never changed, whatever its shape.
        pair(file(`${order}/link/${s}`, 0o666, WEB.uid, WEB.gid), file(`${order}/link/${p}`, 0o666, WEB.uid, WEB.gid));
        // What the file holds: a credential makes it a secret, a stub that only includes does not.
        pair(
          file(`conf/${order}/${s}.php`, 0o644, DEPLOY.uid, DEPLOY.gid, CREDENTIAL),
          file(`conf/${order}/${p}.php`, 0o644, DEPLOY.uid, DEPLOY.gid, STUB),
        );
        // An access ACL naming a stranger, beside a file with the same mode and no ACL.
        pair(file(`${order}/acl/${s}`, 0o664, 0, JOBS), file(`${order}/acl/${p}`, 0o664, 0, JOBS));
        // A setgid FIFO beside a setgid regular file with the same mode and owners: only a file loses the bit.
        pair(file(`${order}/fifo/${s}`, 0o2640, CRON.uid, CRON.gid), file(`${order}/fifo/${p}`, 0o2640, CRON.uid, CRON.gid));
        // A default ACL on the directory above, beside the same file without one (world-writable: planned in both;
        // no shape was found where the default ACL alone changes a file's plan, so this pair guards less than the others).
        entries.push(dir(`${order}/${s}`), dir(`${order}/${p}`));
        pair(file(`${order}/${s}/f`, 0o652, DEPLOY.uid, WWW), file(`${order}/${p}/f`, 0o652, DEPLOY.uid, WWW));
        // A directory the web role cannot enter, beside one it can: the file below needs web's read in both.
        entries.push(dir(`${order}/hide`), dir(`${order}/hide/${s}`, 0o700, DEPLOY.uid, DEPLOY.gid), dir(`${order}/hide/${p}`));
        pair(file(`${order}/hide/${s}/f`, 0o600, DEPLOY.uid, DEPLOY.gid), file(`${order}/hide/${p}/f`, 0o600, DEPLOY.uid, DEPLOY.gid));
        // One part of the key apart: the mode, the owner, the group, the policy (web writes o1/pol/a and o2/pol/b).
        pair(file(`${order}/mode/${s}`, 0o660, 0, WWW), file(`${order}/mode/${p}`, 0o640, 0, WWW));
        pair(file(`${order}/uid/${s}`, 0o604, STRANGER.uid, WEB.gid), file(`${order}/uid/${p}`, 0o604, DEPLOY.uid, WEB.gid));
        pair(file(`${order}/gid/${s}`, 0o670, WEB.uid, JOBS), file(`${order}/gid/${p}`, 0o670, WEB.uid, WWW));
        pair(file(`${order}/pol/${s}`, 0o666, CRON.uid, JOBS), file(`${order}/pol/${p}`, 0o666, CRON.uid, JOBS));
        // Setuid and setgid files: the bits go.
        entries.push(file(`${order}/suid/a`, 0o4755, 0, 0), file(`${order}/suid/b`, 0o6755, STRANGER.uid, WWW));
        plain.push(`${order}/suid/a`, `${order}/suid/b`);
      }
      // Directories of one shape: keys/a and keys/c hold what web reads (it must search them), keys/b does not.
      for (const name of ['a', 'b', 'c']) {
        entries.push(dir(`keys/${name}`, 0o700, DEPLOY.uid, DEPLOY.gid));
        if (name !== 'b') entries.push(dir(`keys/${name}/pub`), file(`keys/${name}/pub/i`, 0o644, 0, 0));
      }
      special.push('keys/a', 'keys/a/pub', 'keys/a/pub/i');
      plain.push('keys/b', 'keys/c', 'keys/c/pub', 'keys/c/pub/i');
      // Left out: ign/a by --ignore, and the same shape beside it that is fixed.
      entries.push(dir('ign'), file('ign/a', 0o666, WEB.uid, WEB.gid), file('ign/b', 0o666, WEB.uid, WEB.gid));
      plain.push('ign/b');
      buildTree(tree, entries);

      // The shapes' hidden differences, made after the tree (buildTree knows none of them).
      for (const [order, member] of [
        ['o1', 'a'],
        ['o2', 'b'],
      ] as const) {
        linkSync(join(tree, order, 'link', member), join(tmp.path, `outside-${order}`));
        execFileSync('setfacl', ['-m', `u:${STRANGER.uid}:rw`, join(tree, order, 'acl', member)]);
        const fifo = join(tree, order, 'fifo', member);
        execFileSync('rm', [fifo]);
        execFileSync('mkfifo', [fifo]);
        execFileSync('chown', [`${CRON.uid}:${CRON.gid}`, fifo]);
        execFileSync('chmod', ['2640', fifo]);
        // Set after the file was made: the file keeps no ACL, only the directory's default says what comes.
        execFileSync('setfacl', ['-d', '-m', `u:${WEB.uid}:rwx`, join(tree, order, member)]);
      }
      expect(lstatSync(join(tree, 'o1/acl/a')).mode & 0o7777, 'the ACL leaves the mode as the plain file has it').toBe(0o664);
    });
    afterAll(() => tmp?.cleanup());

    /** Owner, group, mode and ACL of an entry, as `getfacl` and lstat say. */
    function stateOf(root: string, rel: string): string {
      const path = join(root, rel);
      const s = lstatSync(path);
      const acl = spawnSync('getfacl', ['-c', '-p', '--', path], { encoding: 'utf8' }).stdout.trim().replace(/\n/g, ',');
      return `${s.uid}:${s.gid}:${(s.mode & 0o7777).toString(8)} ${acl}`;
    }

    let copies = 0;
    /** A copy of the tree (cp -a keeps modes, owners and ACLs), its hard links outside it made again. */
    function copy(): string {
      const to = join(tmp.path, `copy-${++copies}`);
      execFileSync('cp', ['-a', tree, to]);
      for (const rel of ['o1/link/a', 'o2/link/b']) linkSync(join(to, rel), join(tmp.path, `outside-${copies}-${rel.replace(/\//g, '-')}`));
      return to;
    }

    const onlyFlags = (paths: readonly string[]) => paths.flatMap((path) => ['--only', path]);

    it('fixes every entry of a shared shape as it is fixed apart, in either order, and keeps each refusal', () => {
      const whole = copy();
      const before = Object.fromEntries([...special, ...plain, 'ign/a'].map((rel) => [rel, stateOf(whole, rel)]));
      const fixed = runCli(['fix', whole, '--yes', ...flags, '--ignore', 'ign/a']);
      expect(fixed.code, fixed.stderr).not.toBe(2);
      expect(fixed.code, fixed.stderr).not.toBe(70);

      for (const [group, members] of [
        ['special', special],
        ['plain', plain],
      ] as const) {
        const apart = copy();
        const result = runCli(['fix', apart, '--yes', ...flags, ...onlyFlags(members)]);
        expect(result.code, result.stderr).not.toBe(70);
        for (const rel of members)
          expect(stateOf(whole, rel), `${rel} (${group}) fixed with the whole tree and apart`).toBe(stateOf(apart, rel));
      }

      // The same hidden difference gives the same state whichever member the walk met first.
      const mirror = (rel: string) => rel.replace('o1/', 'o2/').replace(/\/a(\/|\.php$|$)/, '/b$1');
      for (const rel of special.filter((r) => r.includes('o1/'))) {
        expect(stateOf(whole, rel), `${rel} and ${mirror(rel)}`).toBe(stateOf(whole, mirror(rel)));
      }
      // What each special member is, on disk: refusals stay refusals, a secret stays closed.
      for (const rel of ['o1/link/a', 'o2/link/b', 'ign/a']) expect(stateOf(whole, rel), `${rel} is not changed`).toBe(before[rel]);
      expect(stateOf(whole, 'o2/link/a'), 'a single-linked file of that shape is fixed').not.toBe(before['o2/link/a']);
      expect(stateOf(whole, 'ign/b'), 'the same shape beside the ignored file is fixed').not.toBe(before['ign/b']);
      for (const rel of ['conf/o1/a.php', 'conf/o2/b.php'])
        expect(lstatSync(join(whole, rel)).mode & 0o7, `${rel} holds a credential`).toBe(0);
      for (const rel of ['o1/acl/a', 'o2/acl/b']) expect(stateOf(whole, rel)).toMatch(new RegExp(`user:${STRANGER.uid}:`));
      for (const rel of ['o1/suid/a', 'o1/suid/b', 'o2/suid/a', 'o2/suid/b', 'o1/fifo/b', 'o2/fifo/a'])
        expect(lstatSync(join(whole, rel)).mode & 0o6000, rel).toBe(0);
      // The FIFOs keep setgid (the rule is about regular files); web writes only the pol entry its policy names.
      for (const rel of ['o1/fifo/a', 'o2/fifo/b']) expect(lstatSync(join(whole, rel)).mode & 0o2000, rel).toBe(0o2000);
      expect(stateOf(whole, 'o1/pol/a'), 'a policy that lets web write').not.toBe(stateOf(whole, 'o1/pol/b'));
      expect(lstatSync(join(whole, 'keys/a')).mode & 0o111, 'web searches keys/a now').not.toBe(0o100);
      expect(stateOf(whole, 'keys/b').split(' ')[0], 'keys/b, with nothing web reads, keeps web out').toBe(
        `${DEPLOY.uid}:${DEPLOY.gid}:700`,
      );
    });

    it('prints the fix an entry gets apart, with one walk thread or two', () => {
      const audit = (extra: string[]) =>
        runCliJson<{ findings: Finding[] }>(['audit', tree, '--format', 'json', '--fail-on', 'never', ...flags, ...extra]).json.findings;
      const whole = audit(['--jobs', '1']);
      const key = (f: Finding) => `${f.path} ${f.rule} ${f.role ?? ''}`;
      const wholeBy = new Map(whole.map((f) => [key(f), f]));
      let compared = 0;
      for (const members of [special, plain]) {
        for (const finding of audit(['--jobs', '1', ...onlyFlags(members)])) {
          const same = wholeBy.get(key(finding));
          // A finding the whole tree folds into its directory's is not printed on its own there.
          if (!same) continue;
          compared++;
          expect({ fix: same.fix, noFix: same.noFix }, key(finding)).toEqual({ fix: finding.fix, noFix: finding.noFix });
        }
      }
      expect(compared, 'findings compared').toBeGreaterThan(20);
      // Hard-linked files refuse by name, whichever of the pair was planned first.
      for (const rel of ['o1/link/a', 'o2/link/b'])
        expect(whole.filter((f) => f.path === rel).every((f) => f.noFix?.includes('hard links'))).toBe(true);
      for (const rel of ['o1/link/b', 'o2/link/a']) expect(whole.some((f) => f.path === rel && f.fix)).toBe(true);

      const threaded = runCliJson<{ findings: Finding[] }>(
        ['audit', tree, '--format', 'json', '--fail-on', 'never', ...flags, '--jobs', '2'],
        {
          env: { ...process.env, PERMCHECK_THREADS_AFTER: '0' },
        },
      ).json.findings;
      expect(threaded).toEqual(whole);
    });
  },
);

/**
 * The executable runs the bundle (dist/bundle/); tsc's dist/ is what the unit tests load. Both must
 * behave alike where the bundle differs most: the audit's worker threads (found by URL from a chunk), and the exit codes of a user's mistake (2, one line) and of a bug (70, stack).
 */
describeNeeding({ [NEEDS_ROOT.chown]: isRoot })('the bundled executable and tsc’s modules', () => {
  // Made when the suite runs, not when it is collected: a filtered run (-t) leaves nothing behind.
  let tmp: ReturnType<typeof makeTempDir>;
  let shim: string;
  let app: string;
  afterAll(() => tmp?.cleanup());

  beforeAll(() => {
    tmp = makeTempDir('permcheck-adv-bundle-');
    shim = join(tmp.path, 'tsc-cli.mjs');
    app = join(tmp.path, 'app');
    writeFileSync(
      shim,
      `import { main } from ${JSON.stringify(new URL('../../dist/cli.js', import.meta.url).href)};\nmain(process.argv);\n`,
    );
    for (const d of ['bootstrap/cache', 'storage/logs', 'app/Models', 'vendor/acme/lib/src']) mkdirSync(join(app, d), { recursive: true });
    writeFileSync(join(app, 'artisan'), '<?php\n');
    writeFileSync(join(app, 'bootstrap/app.php'), '<?php\n');
    // PHP that names modes in every file: the scan's findings come out of the bundle too.
    for (let i = 0; i < 48; i++) {
      const dir = i % 2 ? 'vendor/acme/lib/src' : 'app/Models';
      writeFileSync(
        join(app, dir, `F${i}.php`),
        `<?php\nfunction f${i}($p) {\n  umask(00${i % 8});\n  mkdir($p, 0777, true);\n  chmod($p, 066${i % 8});\n}\n`,
      );
    }
    execFileSync('chmod', ['0777', join(app, 'storage/logs')]);
  });

  const run = (bin: string, args: string[], node: string[] = []) => {
    const result = spawnSync(process.execPath, [...node, bin, ...args], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      env: { ...process.env, NO_COLOR: '1', PERMCHECK_THREADS_AFTER: '0' },
    });
    return { code: result.status, stdout: result.stdout.replace(/"elapsedMs": \d+/, '"elapsedMs": 0'), stderr: result.stderr };
  };
  const roles = ['--web-user', 'www-data', '--cli-user', 'root', '--cron-user', 'root', '--no-discover'];

  it('audits with worker threads and scans PHP alike', () => {
    const args = ['audit', app, ...roles, '--jobs', '2', '--format', 'json'];
    const bundled = run(BIN, args);
    expect(bundled.code, bundled.stderr).toBe(1);
    const json = JSON.parse(bundled.stdout) as { findings: Finding[] };
    expect(json.findings.filter((f) => f.rule === 'hardcoded-mode').length, 'a chmod found in each of the 48 files').toBeGreaterThanOrEqual(
      48,
    );
    expect(bundled).toEqual(run(shim, args));
  });

  it('exits 2 with one line for a mistake and 70 with a stack for a bug in a worker thread', () => {
    for (const args of [
      ['audit', join(tmp.path, 'missing'), ...roles],
      ['audit', app, ...roles, '--jobs', '0'],
    ]) {
      const bundled = run(BIN, args);
      expect(bundled.code).toBe(2);
      expect(bundled.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(bundled).toEqual(run(shim, args));
    }
    // A module preloaded into every thread that throws in the workers only: a bug, not the user's.
    const boom = join(tmp.path, 'boom.mjs');
    writeFileSync(
      boom,
      "import { isMainThread } from 'node:worker_threads';\nif (!isMainThread) throw new TypeError('boom in a worker');\n",
    );
    const args = ['audit', app, ...roles, '--jobs', '2', '--format', 'json'];
    for (const bin of [BIN, shim]) {
      const result = run(bin, args, ['--import', boom]);
      expect(result.code, `${bin}: ${result.stderr}`).toBe(70);
      expect(result.stderr).toMatch(/internal error, this is a bug[\s\S]*boom in a worker[\s\S]*\n\s+at /);
    }
  });
});
