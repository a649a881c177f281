import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, runCliJson } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { buildTree, type EntrySpec } from '../helpers/tree.js';
import { CRON, DEPLOY, hasSetpriv, isRoot, runAs, STRANGER, WEB, writeUserFiles, type TestUser, roleFlags } from '../helpers/users.js';

const why = !isRoot || !hasSetpriv() ? ' (skipped: needs root and setpriv)' : '';
const hasSetfacl = spawnSync('setfacl', ['--version']).status === 0;

interface Finding {
  rule: string;
  severity: string;
  path: string;
  role?: string;
  fix?: string;
  noFix?: string;
}

/** What the kernel lets a user do, asked as that user. */
function can(user: TestUser, test: '-r' | '-w' | '-x', path: string): boolean {
  try {
    runAs(user, 'test', [test, path]);
    return true;
  } catch {
    return false;
  }
}

const stateOf = (path: string) => {
  const s = lstatSync(path);
  return `${s.uid}:${s.gid}:${(s.mode & 0o7777).toString(8)}`;
};

describe.skipIf(why !== '')(`permcheck fix${why}`, { timeout: 60_000 }, () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let users: string[];
  let count = 0;

  beforeAll(() => {
    tmp = makeTempDir('permcheck-fix-');
    const files = writeUserFiles(tmp.path);
    users = roleFlags(files);
  });
  afterAll(() => tmp?.cleanup());

  /** A tree owned by deploy, with its config beside it (root's, so trusted), never inside it. */
  function tree(entries: EntrySpec[], config: object): string {
    const root = join(tmp.path, `t${++count}`);
    buildTree(root, [{ path: '.', type: 'dir', uid: DEPLOY.uid, gid: DEPLOY.gid, mode: 0o755 }, ...entries]);
    writeFileSync(`${root}.config.json`, JSON.stringify(config));
    return root;
  }
  const options = (root: string) => [...users, '--ignore-ancestors', '--config', `${root}.config.json`];
  const audit = (root: string) =>
    runCliJson<{ findings: Finding[] }>(['audit', root, '--format', 'json', '--fail-on', 'never', ...options(root)]).json.findings;
  const fix = (root: string, ...extra: string[]) => runCli(['fix', root, ...options(root), ...extra]);
  const errors = (root: string) => audit(root).filter((f) => f.severity === 'error');

  const CODE = { match: '**', access: { web: 'read', cli: 'write', cron: 'read' } };

  it('a root-owned wp-config.php the web must read: the fix gives web the group, never a bare chmod o-r (site down)', () => {
    const root = tree(
      [{ path: 'wp-config.php', type: 'file', uid: 0, gid: 0, mode: 0o644, content: "<?php define('DB_PASSWORD', 'x');\n" }],
      {
        paths: [CODE, { match: 'wp-config.php', access: { web: 'read', cli: 'write', cron: 'none' }, secret: true }],
      },
    );
    const printed = audit(root).filter((f) => f.path === 'wp-config.php' && f.fix);
    expect(printed.length).toBeGreaterThan(0);
    for (const f of printed) expect(f.fix).not.toMatch(/^chmod -- o-r/);
    const run = fix(root, '--yes');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const file = join(root, 'wp-config.php');
    expect(can(WEB, '-r', file)).toBe(true);
    expect(can(CRON, '-r', file)).toBe(false);
    expect(can(STRANGER, '-r', file)).toBe(false);
    expect(errors(root)).toEqual([]);
  });

  it('root-owned code after sudo composer install: chown to the deploy user, no group write that access-excess then takes back', () => {
    const root = tree(
      [
        { path: 'vendor', type: 'dir', uid: DEPLOY.uid, gid: DEPLOY.gid, mode: 0o755 },
        { path: 'vendor/composer', type: 'dir', uid: 0, gid: 0, mode: 0o755 },
        { path: 'vendor/composer/installed.json', type: 'file', uid: 0, gid: 0, mode: 0o644 },
        { path: 'vendor/composer/autoload_real.php', type: 'file', uid: 0, gid: 0, mode: 0o644 },
      ],
      { paths: [CODE] },
    );
    // Run by root on deploy's tree: the audit's fixes are `permcheck fix` lines; its plan is the script.
    expect(audit(root).filter((f) => f.fix && !f.fix.startsWith('permcheck fix '))).toEqual([]);
    const plan = fix(root, '--dry-run').stdout;
    expect(plan).toMatch(/chown (-R )?-h -- '?deploy'? '\.\/vendor\/composer'/);
    expect(plan).not.toMatch(/g\+w|g\+rwX/);
    expect(fix(root, '--yes').code).toBe(0);
    expect(stateOf(join(root, 'vendor/composer/installed.json'))).toBe(`${DEPLOY.uid}:0:644`);
    expect(can(DEPLOY, '-w', join(root, 'vendor/composer/installed.json'))).toBe(true);
    expect(can(WEB, '-w', join(root, 'vendor/composer/installed.json'))).toBe(false);
    const after = audit(root);
    expect(after.filter((f) => f.severity === 'error' || f.severity === 'warning')).toEqual([]);
  });

  it('a cron user outside the web group: the shared var/ keeps the web user in', () => {
    const root = tree(
      [
        { path: 'var', type: 'dir', uid: DEPLOY.uid, gid: 21100, mode: 0o2775 },
        { path: 'var/cache', type: 'dir', uid: WEB.uid, gid: 21100, mode: 0o2775 },
        { path: 'var/cache/a.php', type: 'file', uid: WEB.uid, gid: 21100, mode: 0o664 },
      ],
      { umask: '0002', paths: [CODE, { match: 'var/**', access: { web: 'write', cli: 'write', cron: 'write' } }] },
    );
    const before = audit(root);
    expect(before.some((f) => f.role === 'cron' && f.severity === 'error')).toBe(true);
    // The old fix: chgrp <cron's group> var && chmod g+rwx var: the web user locked out.
    for (const f of before) expect(f.fix ?? '').not.toMatch(/chgrp[^&]*'(cron|jobs)'/);
    fix(root, '--yes');
    for (const user of [WEB, DEPLOY]) expect(can(user, '-w', join(root, 'var/cache')), user.name).toBe(true);
    expect(can(WEB, '-w', join(root, 'var/cache/a.php'))).toBe(true);
  });

  it('mode-drift on a shared writable directory never takes away the group write the policy needs', () => {
    const root = tree(
      [
        { path: 'var', type: 'dir', uid: DEPLOY.uid, gid: 21100, mode: 0o2775 },
        { path: 'var/cache', type: 'dir', uid: DEPLOY.uid, gid: 21100, mode: 0o2775 },
        { path: 'var/cache/a.php', type: 'file', uid: WEB.uid, gid: 21100, mode: 0o664 },
      ],
      // Magento with magento_umask 022, in effect: the umask would not give g+w, the policy needs it.
      { umask: '0022', paths: [CODE, { match: 'var/**', access: { web: 'write', cli: 'write', cron: 'read' } }] },
    );
    const findings = audit(root);
    const drift = findings.filter((f) => f.rule === 'mode-drift');
    expect(drift.length).toBeGreaterThan(0);
    for (const f of findings) expect(f.fix ?? '').not.toMatch(/g-w|g-rw/);
    fix(root, '--yes');
    expect(can(WEB, '-w', join(root, 'var/cache'))).toBe(true);
    expect(can(DEPLOY, '-w', join(root, 'var/cache/a.php'))).toBe(true);
  });

  it('--dry-run prints a set -e script and changes nothing; without --yes off a terminal it refuses (exit 2)', () => {
    const root = tree([{ path: 'open.php', type: 'file', uid: DEPLOY.uid, gid: DEPLOY.gid, mode: 0o666 }], { paths: [CODE] });
    const dry = fix(root, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout.split('\n').slice(0, 5)).toEqual([
      '#!/bin/bash',
      `[ -n "\${BASH_VERSION:-}" ] || { echo 'run this script with bash' >&2; exit 2; }`,
      // Its permcheck fix line needs permcheck: said before the first change, not halfway.
      `command -v permcheck > /dev/null || { echo 'put permcheck on the PATH to run this script (npx: node_modules/.bin)' >&2; exit 2; }`,
      'set -e',
      `cd -- '${root}'`,
    ]);
    expect(dry.stdout).toContain("chmod -- 0644 './open.php'");
    expect(stateOf(join(root, 'open.php'))).toBe(`${DEPLOY.uid}:${DEPLOY.gid}:666`);
    const refused = fix(root);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^permcheck: fix changes the tree: pass --yes/);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(stateOf(join(root, 'open.php'))).toBe(`${DEPLOY.uid}:${DEPLOY.gid}:666`);
    // The script is what fix would do: run by sh, the tree is fixed. deploy owns the root and is not
    // trusted here, so its lines are permcheck fix (on the PATH), the commands shown as comments.
    expect(dry.stdout).toContain("# chmod -- 0644 './open.php'\n");
    expect(dry.stdout).toMatch(/\npermcheck fix .* --yes \\\n {2}--only 'open\.php' \|\| \[ \$\? -eq 1 \]\n$/);
    const withoutPermcheck = spawnSync('bash', ['-c', dry.stdout], { env: { ...process.env, PATH: '/usr/bin:/bin' }, encoding: 'utf8' });
    expect(withoutPermcheck.status).toBe(2);
    expect(withoutPermcheck.stderr).toBe('put permcheck on the PATH to run this script (npx: node_modules/.bin)\n');
    expect(stateOf(join(root, 'open.php'))).toBe(`${DEPLOY.uid}:${DEPLOY.gid}:666`);
    const script = join(tmp.path, 'plan.sh');
    writeFileSync(script, dry.stdout);
    const shim = join(tmp.path, 'shim');
    mkdirSync(shim, { recursive: true });
    writeFileSync(join(shim, 'permcheck'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`);
    chmodSync(join(shim, 'permcheck'), 0o755);
    // Under sh (dash) it refuses at once, before any line a name could turn into commands.
    const bySh = spawnSync('sh', [script], { encoding: 'utf8' });
    expect(bySh.status).toBe(2);
    expect(bySh.stderr).toBe('run this script with bash\n');
    const run = spawnSync('bash', [script], { env: { ...process.env, PATH: `${shim}:${process.env.PATH}` }, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(stateOf(join(root, 'open.php'))).toBe(`${DEPLOY.uid}:${DEPLOY.gid}:644`);
  });

  it('--yes writes the undo journal outside the tree first; --undo restores the exact owners and modes', () => {
    const entries: EntrySpec[] = [
      { path: 'src', type: 'dir', uid: 0, gid: 0, mode: 0o777 },
      { path: 'src/a.php', type: 'file', uid: 0, gid: 0, mode: 0o4777 },
      { path: 'src/b.php', type: 'file', uid: WEB.uid, gid: WEB.gid, mode: 0o600 },
      { path: 'src/link', type: 'symlink', target: 'a.php', uid: WEB.uid, gid: WEB.gid },
    ];
    const root = tree(entries, { paths: [CODE] });
    const paths = ['.', 'src', 'src/a.php', 'src/b.php', 'src/link'].map((p) => join(root, p));
    const before = paths.map(stateOf);
    const journal = join(tmp.path, 'undo.jsonl');
    const inside = fix(root, '--yes', '--journal', join(root, 'src', 'undo.jsonl'));
    expect(inside.code).toBe(2);
    expect(inside.stderr).toMatch(/inside the tree/);
    expect(paths.map(stateOf)).toEqual(before);

    const applied = fix(root, '--yes', '--journal', journal);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stdout).toContain(`undo journal: ${journal}`);
    expect(lstatSync(journal).mode & 0o777).toBe(0o600);
    expect(paths.map(stateOf)).not.toEqual(before);
    expect(errors(root)).toEqual([]);

    const undone = runCli(['fix', root, ...options(root), '--undo', journal, '--yes']);
    expect(undone.code, undone.stdout + undone.stderr).toBe(0);
    expect(undone.stdout).toMatch(/^restored \d+ of \d+ entries/);
    expect(paths.map(stateOf)).toEqual(before);
    // A journal that does not belong to this tree is refused.
    const other = tree([], { paths: [CODE] });
    const wrong = runCli(['fix', other, ...options(other), '--undo', journal, '--yes']);
    expect(wrong.code).toBe(2);
    expect(existsSync(journal)).toBe(true);
    expect(readFileSync(journal, 'utf8').split('\n')[0]).toContain('"permcheckUndo":1');
  });

  it('on a tree with nothing to change: says so, writes no journal, exits 0', () => {
    const root = tree([{ path: 'index.php', type: 'file', uid: DEPLOY.uid, gid: DEPLOY.gid, mode: 0o644 }], { paths: [CODE] });
    const journal = join(tmp.path, 'never.jsonl');
    const run = fix(root, '--yes', '--journal', journal);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^nothing to change in .*: the plan holds no change of owner, group or mode$/m);
    expect(existsSync(journal)).toBe(false);
    expect(fix(root, '--dry-run').stdout).toMatch(/^nothing to change/);
  });

  it('--undo with a journal that is missing, or not a journal: one line on stderr, exit 2, nothing changed', () => {
    const root = tree([{ path: 'open.php', type: 'file', uid: DEPLOY.uid, gid: DEPLOY.gid, mode: 0o666 }], { paths: [CODE] });
    const notJournal = join(tmp.path, 'not-a-journal.jsonl');
    writeFileSync(notJournal, '{"hello": 1}\n');
    for (const journal of [join(tmp.path, 'missing.jsonl'), notJournal]) {
      const run = runCli(['fix', root, ...options(root), '--undo', journal, '--yes']);
      expect(run.code, journal).toBe(2);
      expect(run.stderr.trim().split('\n'), run.stderr).toHaveLength(1);
      expect(run.stderr).toContain(journal);
    }
    expect(stateOf(join(root, 'open.php'))).toBe(`${DEPLOY.uid}:${DEPLOY.gid}:666`);
  });

  it.skipIf(!hasSetfacl)(
    'the Symfony setfacl recipe: no errors; once web creates a cache file still none; cron added by ACL entries',
    () => {
      const root = tree(
        [
          { path: 'var', type: 'dir', uid: DEPLOY.uid, gid: DEPLOY.gid, mode: 0o755 },
          { path: 'var/cache', type: 'dir', uid: DEPLOY.uid, gid: DEPLOY.gid, mode: 0o755 },
          { path: 'var/cache/x.php', type: 'file', uid: DEPLOY.uid, gid: DEPLOY.gid, mode: 0o644 },
        ],
        { paths: [CODE, { match: 'var/**', access: { web: 'write', cli: 'write', cron: 'write' } }] },
      );
      const recipe = (who: string) => [`-m`, `u:${WEB.uid}:rwX`, `-m`, `u:${who}:rwX`];
      const var_ = join(root, 'var');
      expect(spawnSync('setfacl', ['-dR', ...recipe(String(DEPLOY.uid)), var_]).status).toBe(0);
      expect(spawnSync('setfacl', ['-R', ...recipe(String(DEPLOY.uid)), var_]).status).toBe(0);
      // cron is another user: the recipe leaves it out, and permcheck plans the missing entries.
      const before = errors(root);
      expect(before.length).toBeGreaterThan(0);
      expect(before.every((f) => f.role === 'cron')).toBe(true);
      expect(fix(root, '--dry-run').stdout).toMatch(/setfacl -m '[^']*u:cron:rwx[^']*' -- '\.\/var'/);
      const acls = () => execFileSync('getfacl', ['-R', '-p', '-n', root], { encoding: 'utf8' });
      const recipe_ = acls();
      const journal = join(tmp.path, 'acl-undo.jsonl');
      expect(fix(root, '--yes', '--journal', journal).code).toBe(0);
      expect(errors(root)).toEqual([]);
      // The journal keeps the ACLs: undo gives back exactly the recipe's entries, then fix again.
      expect(runCli(['fix', root, ...options(root), '--undo', journal, '--yes']).code).toBe(0);
      expect(acls()).toBe(recipe_);
      expect(fix(root, '--yes').code).toBe(0);
      runAs(WEB, 'sh', ['-c', `umask 022 && echo x > ${join(root, 'var/cache/new.php')} && mkdir ${join(root, 'var/cache/prod')}`]);
      expect(errors(root)).toEqual([]);
      for (const user of [CRON, DEPLOY]) {
        expect(can(user, '-w', join(root, 'var/cache/new.php')), user.name).toBe(true);
        expect(can(user, '-w', join(root, 'var/cache/prod')), user.name).toBe(true);
      }
    },
  );
});
