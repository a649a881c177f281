import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, runCliJson } from '../helpers/cli.js';
import { canMakeUsers, HostUsers, runAsHost, type HostUser } from '../helpers/host-users.js';
import { makeTempDir } from '../helpers/tmp.js';
import { buildTree, pick, random, type EntrySpec } from '../helpers/tree.js';

const PROBE = fileURLToPath(new URL('../helpers/probe.mjs', import.meta.url));
const why = !canMakeUsers ? ' (skipped: needs root and useradd from the Debian package passwd)' : '';

type Level = 'none' | 'read' | 'write';
type Role = 'web' | 'cli' | 'cron';
const ROLES: Role[] = ['web', 'cli', 'cron'];

/** The policy of every tree: cli deploys the code, web and cron write var/, the secret is web's and cli's. */
function levelOf(rel: string): Record<Role, Level> {
  if (rel === 'config/secret.php') return { web: 'read', cli: 'write', cron: 'none' };
  if (rel === 'var' || rel.startsWith('var/')) return { web: 'write', cli: 'read', cron: 'write' };
  return { web: 'read', cli: 'write', cron: 'read' };
}

interface Finding {
  rule: string;
  severity: string;
  path: string;
  role?: string;
  fix?: string;
  noFix?: string;
  message: string;
}

/**
 * Convergence (issue 12): random faulty trees where the roles share no single group (cli owns the
 * code; web and cron share a group; the secret's group holds web, not cron), with root-owned code
 * (sudo composer install), a leaked secret, files web and cron created under their umask, symlinks.
 * Every error and warning fix the JSON prints, run through bash from the root, and `permcheck fix
 * --yes` on a copy must both leave no error (cross-context findings only a umask can end excepted,
 * when the first audit had them) and nothing new, and the kernel must then give each role's real
 * user exactly the policy's level on every entry.
 */
describe.skipIf(!canMakeUsers)(`fixes converge on random faulty trees${why}`, () => {
  const accounts = new HostUsers();
  let tmp: ReturnType<typeof makeTempDir>;
  let users: Record<Role, HostUser>;
  let share: { name: string; gid: number };
  let secret: { name: string; gid: number };
  let shim: string;

  beforeAll(() => {
    tmp = makeTempDir('permcheck-converge-');
    share = accounts.group('pcshare');
    secret = accounts.group('pcsecret');
    users = {
      cli: accounts.user('pccli'),
      web: accounts.user('pcweb', [share.name, secret.name]),
      cron: accounts.user('pccron', [share.name]),
    };
    // Pointers such as `permcheck fix --only 'var/**' --yes` run too: permcheck is on bash's PATH.
    shim = join(tmp.path, 'bin');
    mkdirSync(shim);
    writeFileSync(join(shim, 'permcheck'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`);
    chmodSync(join(shim, 'permcheck'), 0o755);
  });

  afterAll(() => {
    accounts.remove();
    tmp?.cleanup();
  });

  function faultyTree(seed: number, umask: number): EntrySpec[] {
    const next = random(seed);
    const { cli, web, cron } = users;
    const created = (uid: number, gid: number, isDir: boolean) => ({ uid, gid, mode: (isDir ? 0o777 : 0o666) & ~umask });
    const codeFile = () => pick(next, [0o644, 0o664, 0o666, 0o600, 0o640, 0o755, 0o777, 0o604, 0o4755]);
    const codeDir = () => pick(next, [0o755, 0o775, 0o777, 0o700, 0o750, 0o2755]);
    const entries: EntrySpec[] = [
      { path: 'src', type: 'dir', uid: cli.uid, gid: cli.gid, mode: codeDir() },
      { path: 'config', type: 'dir', uid: cli.uid, gid: cli.gid, mode: codeDir() },
      { path: 'vendor', type: 'dir', uid: cli.uid, gid: cli.gid, mode: 0o755 },
      // sudo composer install: root-owned code the deploy user can no longer update.
      { path: 'vendor/composer', type: 'dir', uid: 0, gid: 0, mode: 0o755 },
      { path: 'vendor/composer/autoload.php', type: 'file', uid: 0, gid: 0, mode: 0o644 },
      { path: 'vendor/composer/installed.json', type: 'file', uid: 0, gid: 0, mode: pick(next, [0o644, 0o664]) },
      {
        path: 'config/secret.php',
        type: 'file',
        content: '<?php return ["db" => "x"];\n',
        ...pick(next, [
          { uid: 0, gid: 0, mode: 0o644 },
          { uid: cli.uid, gid: cli.gid, mode: 0o644 },
          { uid: cli.uid, gid: share.gid, mode: 0o640 },
          { uid: cli.uid, gid: cli.gid, mode: 0o666 },
        ]),
      },
      { path: 'var', type: 'dir', uid: cli.uid, gid: pick(next, [cli.gid, share.gid]), mode: pick(next, [0o755, 0o775, 0o2775, 0o777]) },
      { path: 'var/cache', type: 'dir', ...created(web.uid, web.gid, true) },
      { path: 'var/log', type: 'dir', uid: cli.uid, gid: cli.gid, mode: pick(next, [0o755, 0o775]) },
      { path: 'src/link-to-vendor', type: 'symlink', target: '../vendor', uid: cli.uid, gid: cli.gid },
      { path: 'var/log/dangling', type: 'symlink', target: 'nowhere', uid: cli.uid, gid: cli.gid },
    ];
    for (let i = 0; i < 8; i++) {
      entries.push({ path: `src/f${i}.php`, type: 'file', uid: cli.uid, gid: cli.gid, mode: codeFile() });
    }
    entries.push({ path: 'src/lib', type: 'dir', uid: cli.uid, gid: cli.gid, mode: codeDir() });
    for (let i = 0; i < 4; i++) entries.push({ path: `src/lib/g${i}.php`, type: 'file', uid: cli.uid, gid: cli.gid, mode: codeFile() });
    // What web and cron created under their umask: in the cache, a web-made subdirectory, the log.
    entries.push({ path: 'var/cache/prod', type: 'dir', ...created(web.uid, web.gid, true) });
    for (let i = 0; i < 4; i++) entries.push({ path: `var/cache/prod/c${i}.php`, type: 'file', ...created(web.uid, web.gid, false) });
    entries.push({ path: 'var/cache/web.meta', type: 'file', ...created(web.uid, web.gid, false) });
    entries.push({ path: 'var/log/cron.log', type: 'file', ...created(cron.uid, cron.gid, false) });
    entries.push({ path: 'var/log/web.log', type: 'file', ...created(web.uid, web.gid, false) });
    return entries;
  }

  function config(umask: number): string {
    const u = umask.toString(8).padStart(4, '0');
    return JSON.stringify({
      roles: {
        web: { user: users.web.name, umask: u },
        cli: { user: users.cli.name, umask: u },
        cron: { user: users.cron.name, umask: u },
      },
      paths: [
        { match: '**', access: { web: 'read', cli: 'write', cron: 'read' } },
        { match: 'var/**', access: { web: 'write', cli: 'read', cron: 'write' } },
        { match: 'config/secret.php', access: { web: 'read', cli: 'write', cron: 'none' }, secret: true },
      ],
    });
  }

  function make(seed: number, umask: number, name: string): string {
    const root = join(tmp.path, name);
    buildTree(root, faultyTree(seed, umask));
    execFileSync('chown', [`${users.cli.uid}:${users.cli.gid}`, root]);
    chmodSync(root, 0o755);
    writeFileSync(join(root, 'permcheck.config.json'), config(umask));
    return root;
  }

  function audit(root: string): Finding[] {
    const { json } = runCliJson<{ findings: Finding[] }>([
      'audit',
      root,
      '--config',
      join(root, 'permcheck.config.json'),
      '--format',
      'json',
      '--ignore-ancestors',
      '--no-discover',
      '--fail-on',
      'never',
    ]);
    return json.findings.filter((f) => f.path !== 'permcheck.config.json');
  }

  /** What the kernel lets each role's real user do with every entry but symlinks and the config. */
  function kernelLevels(root: string, rels: readonly string[]): Map<string, Record<Role, Level>> {
    const out = new Map<string, Record<Role, Level>>();
    const isDir = new Map(rels.map((rel) => [rel, spawnSync('test', ['-d', join(root, rel)]).status === 0]));
    for (const rel of rels) out.set(rel, { web: 'none', cli: 'none', cron: 'none' });
    for (const role of ROLES) {
      const input = JSON.stringify({ mode: 'access', paths: rels.map((rel) => join(root, rel)) });
      const answers = JSON.parse(runAsHost(users[role], process.execPath, [PROBE], input)) as {
        read: boolean;
        write: boolean;
        execute: boolean;
      }[];
      rels.forEach((rel, i) => {
        const a = answers[i]!;
        const enter = isDir.get(rel) ? a.execute : true;
        const level: Level =
          a.read && a.write && enter ? 'write' : a.read && enter && !a.write ? 'read' : a.read || a.write ? ('mixed' as Level) : 'none';
        out.get(rel)![role] = level;
      });
    }
    return out;
  }

  function entriesOf(root: string): string[] {
    const listed = execFileSync(
      'find',
      ['.', '-mindepth', '1', '!', '-type', 'l', '!', '-name', 'permcheck.config.json', '-printf', '%P\\n'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    return ['.', ...listed.split('\n').filter(Boolean)];
  }

  function expectConverged(root: string, before: Finding[], how: string): void {
    const after = audit(root);
    const fixable = (f: Finding) => !(f.rule === 'cross-context' && before.some((b) => b.rule === 'cross-context'));
    const errors = after.filter((f) => f.severity === 'error' && fixable(f));
    expect(
      errors.map((f) => `${f.rule} ${f.path} [${f.role}]: ${f.message}`),
      `errors left after ${how}`,
    ).toEqual([]);
    const covered = (f: Finding) =>
      before.some((b) => b.rule === f.rule && (b.path === '.' || f.path === b.path || f.path.startsWith(`${b.path}/`)));
    const fresh = after.filter((f) => (f.severity === 'error' || f.severity === 'warning') && !covered(f));
    expect(
      fresh.map((f) => `${f.rule} ${f.path} [${f.role}]: ${f.message}`),
      `new findings after ${how}`,
    ).toEqual([]);
    const rels = entriesOf(root);
    const kernel = kernelLevels(root, rels);
    const wrong: string[] = [];
    for (const rel of rels) {
      const want = levelOf(rel);
      for (const role of ROLES)
        if (kernel.get(rel)![role] !== want[role]) wrong.push(`${rel} ${role}: kernel ${kernel.get(rel)![role]}, policy ${want[role]}`);
    }
    expect(wrong, `access(2) after ${how}`).toEqual([]);
  }

  // Two trees, each under one of the two umasks deploys use (every seed with every umask doubled the
  // suite's longest file for trees of the same kind).
  const cases = [
    { seed: 1, umask: 0o007 },
    { seed: 2, umask: 0o022 },
  ];

  it.each(cases)('seed $seed, umask $umask: the printed fixes run through bash converge', { timeout: 120_000 }, ({ seed, umask }) => {
    const root = make(seed, umask, `printed-${seed}-${umask}`);
    const before = audit(root);
    expect(before.filter((f) => f.severity === 'error').length, 'the tree is faulty to begin with').toBeGreaterThan(0);
    const unfixable = before.filter((f) => f.severity === 'error' && !f.fix && f.rule !== 'cross-context');
    expect(unfixable.map((f) => `${f.rule} ${f.path}: ${f.noFix}`)).toEqual([]);
    const fixes = [...new Set(before.filter((f) => (f.severity === 'error' || f.severity === 'warning') && f.fix).map((f) => f.fix!))];
    for (const fix of fixes) {
      const run = spawnSync('bash', ['-euo', 'pipefail', '-c', fix], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, PATH: `${shim}:${process.env.PATH}` },
      });
      // A `permcheck fix --only` line exits 1 while errors in its scope remain that a later line ends
      // (the directory above it): 2, 3 or 70 would be a failure.
      const allowed = fix.startsWith('permcheck fix ') ? [0, 1] : [0];
      expect(allowed, `${fix}\n${run.stdout}\n${run.stderr}`).toContain(run.status);
    }
    expectConverged(root, before, 'the printed fixes');
  });

  it.each(cases)('seed $seed, umask $umask: permcheck fix --yes on a copy converges', { timeout: 120_000 }, ({ seed, umask }) => {
    // The same seed builds the same tree: a copy of the one whose printed fixes ran above.
    const copy = make(seed, umask, `fix-${seed}-${umask}`);
    const before = audit(copy);
    const journal = join(tmp.path, `journal-${seed}-${umask}.jsonl`);
    const fixed = runCli([
      'fix',
      copy,
      '--yes',
      '--ignore-ancestors',
      '--no-discover',
      '--journal',
      journal,
      '--config',
      join(copy, 'permcheck.config.json'),
    ]);
    expect(fixed.stderr).toBe('');
    expect(fixed.stdout).toMatch(/applied \d+ change/);
    // fix exits 0 only when the audit after it finds no error.
    expect(fixed.code, fixed.stdout).toBe(audit(copy).some((f) => f.severity === 'error') ? 1 : 0);
    expectConverged(copy, before, 'permcheck fix --yes');
  });
});
