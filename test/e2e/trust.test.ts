import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, runCliJson } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { buildTree } from '../helpers/tree.js';
import { DEPLOY, isRoot, STRANGER, WEB, writeUserFiles } from '../helpers/users.js';
import { describeNeeding, NEEDS_ROOT } from '../helpers/needs.js';

const WWW = 21100;

// Files belong to local uids that only the fixture passwd names: messages about who owns a file on
// this machine name them by number.
/**
 * Files that decide what permcheck does (its config, magento_umask) are used only when nobody but
 * root and the runner (and --trust users) could have written them, and are read so that a FIFO, a
 * device, a link or a giant cannot hang it, fill its memory or make it print another file.
 */
describeNeeding({ [NEEDS_ROOT.chown]: isRoot })('trusted configuration', () => {
  const tmp = makeTempDir('permcheck-trust-');
  let users: string[];

  beforeAll(() => {
    const files = writeUserFiles(tmp.path);
    users = ['--passwd', files.passwd, '--group', files.group];
  });
  afterAll(() => tmp.cleanup());

  it('access: a config planted in a directory the web user can write decides nothing; the real one above it does', () => {
    const app = join(tmp.path, 'planted');
    buildTree(app, [
      { path: '.', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
      { path: 'var', type: 'dir', mode: 0o2770, uid: WEB.uid, gid: WWW },
      { path: 'var/cache', type: 'dir', mode: 0o2770, uid: WEB.uid, gid: WWW },
      { path: 'var/cache/x', type: 'file', mode: 0o600, uid: WEB.uid, gid: WWW },
    ]);
    writeFileSync(join(app, 'permcheck.config.json'), JSON.stringify({ roles: { web: { user: 'web' }, cli: { user: 'deploy' } } }));
    // The attacker (the web user) makes every role root, so that every answer would be yes.
    writeFileSync(join(app, 'var', 'permcheck.config.json'), JSON.stringify({ roles: { web: { user: 'root' }, cli: { user: 'root' } } }));
    chownSync(join(app, 'var', 'permcheck.config.json'), WEB.uid, WEB.gid);
    const { result, json } = runCliJson(['access', join(app, 'var/cache/x'), '--json', ...users]);
    expect(result.code).toBe(0);
    expect(json.roles.cli.user).toBe('deploy');
    expect(json.results[0].roles.cli.read).toBe(false);
    expect(json.project.config).toBe(join(app, 'permcheck.config.json'));
    expect(json.project.notes.join('\n')).toContain(`ignored ${join(app, 'var', 'permcheck.config.json')}`);
  });

  // Failed: the stranger who can write uploads/ put a wp-config.php there, which made uploads/ the
  // project, its owner (the stranger) the cli and cron roles, and every answer about them yes.
  it('access and explain --in: framework markers planted in a directory a stranger can write decide nothing; the real root above does', () => {
    const app = join(tmp.path, 'markers');
    buildTree(app, [
      { path: '.', type: 'dir', mode: 0o755, uid: DEPLOY.uid, gid: WWW },
      { path: 'wp-config.php', type: 'file', mode: 0o640, uid: DEPLOY.uid, gid: WWW, content: '<?php\n' },
      { path: 'wp-content', type: 'dir', mode: 0o755, uid: DEPLOY.uid, gid: WWW },
      { path: 'wp-content/uploads', type: 'dir', mode: 0o755, uid: STRANGER.uid, gid: STRANGER.gid },
      { path: 'wp-content/uploads/wp-config.php', type: 'file', mode: 0o644, uid: STRANGER.uid, gid: STRANGER.gid, content: '<?php\n' },
      { path: 'wp-content/uploads/a.jpg', type: 'file', mode: 0o600, uid: STRANGER.uid, gid: STRANGER.gid },
    ]);
    // The real root is deploy's: trusted, its markers count; the stranger's never do.
    const web = ['--web-user', 'web', '--trust', String(DEPLOY.uid)];
    const { json } = runCliJson(['access', join(app, 'wp-content/uploads/a.jpg'), '--json', ...web, ...users]);
    expect(json.project.directory).toBe(app);
    expect(json.roles.cli.user).toBe('deploy');
    expect(json.results[0].roles.cli.read).toBe(false);
    expect(json.project.notes.join('\n')).toContain(
      `ignored the framework markers in ${join(app, 'wp-content/uploads')}: 21004 (its owner) can change it`,
    );
    // Untrusted, deploy's root is no project either: the current directory stands for it, and the note says how to take it.
    const untrusted = runCliJson(['access', join(app, 'wp-content/uploads/a.jpg'), '--json', '--web-user', 'web', ...users]).json;
    expect(untrusted.project.directory).toBe(process.cwd());
    expect(untrusted.project.notes.join('\n')).toContain(
      `ignored the framework markers in ${app}: 21001 (its owner) can change it; --trust 21001 takes them`,
    );
    // A symlink the stranger plants in uploads/, pointing at a root-owned tree with markers, decides
    // nothing by where it points: the project is where the file really is.
    const elsewhere = join(tmp.path, 'markers-elsewhere');
    buildTree(elsewhere, [
      { path: '.', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
      { path: 'wp-config.php', type: 'file', mode: 0o640, uid: 0, gid: 0, content: '<?php\n' },
      { path: 'a.jpg', type: 'file', mode: 0o644, uid: 0, gid: 0 },
    ]);
    symlinkSync(elsewhere, join(app, 'wp-content/uploads/link'));
    const linked = runCliJson(['access', join(app, 'wp-content/uploads/link/a.jpg'), '--json', ...web, ...users]).json;
    expect(linked.project.directory).toBe(elsewhere);
    expect(linked.roles.cli.user).toBe('root');
    const explained = runCliJson([
      'explain',
      '--for',
      'web',
      '--in',
      join(app, 'wp-content/uploads'),
      '0022',
      '--json',
      ...web,
      ...users,
    ]).json;
    expect(explained.project.directory).toBe(app);
  });

  it('audit: a root owned by another user, with a config that hides everything, is refused with exit 2 and the way to trust it', () => {
    const root = join(tmp.path, 'owned');
    buildTree(root, [
      { path: '.', type: 'dir', mode: 0o755, uid: STRANGER.uid, gid: STRANGER.gid },
      { path: 'run.php', type: 'file', mode: 0o4777, uid: STRANGER.uid, gid: STRANGER.gid },
      { path: 'open', type: 'dir', mode: 0o777, uid: STRANGER.uid, gid: STRANGER.gid },
    ]);
    const config = join(root, 'permcheck.config.json');
    writeFileSync(config, '{"ignore":["**"]}');
    chownSync(config, STRANGER.uid, STRANGER.gid);
    const refused = runCli(['audit', root, '--web-user', 'web', ...users]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(
      `permcheck: config ${config} can be changed by 21004 (its owner), not only by root: whoever wrote it would decide what permcheck reports. ` +
        `Check it, then pass --config ${config} to use it anyway, or pass --trust 21004.\n`,
    );
    // Without the config the tree is what it is; with it named on purpose, the header says so.
    const named = runCliJson(['audit', root, '--format', 'json', '--config', config, '--web-user', 'web', ...users]);
    expect(named.json.config).toBe(config);
    expect(named.json.findings).toEqual([]);
    const moved = join(tmp.path, 'hidden.json');
    execFileSync('mv', [config, moved]);
    const plain = runCliJson(['audit', root, '--format', 'json', '--web-user', 'web', ...users]);
    expect(plain.json.config).toBe(null);
    expect(plain.json.findings.map((f: { rule: string }) => f.rule)).toEqual(expect.arrayContaining(['special-bit', 'world-writable']));
  });

  it('a group- or world-writable config is refused too, even when root owns it', () => {
    const root = join(tmp.path, 'groupwritable');
    buildTree(root, [{ path: '.', type: 'dir', mode: 0o755, uid: 0, gid: 0 }]);
    const config = join(root, 'permcheck.config.json');
    writeFileSync(config, '{}');
    chownSync(config, 0, WWW);
    chmodSync(config, 0o664);
    const { code, stderr } = runCli(['audit', root, '--web-user', 'web', ...users]);
    expect(code).toBe(2);
    expect(stderr).toContain('can be changed by group 21100, not only by root');
    chmodSync(config, 0o644);
    execFileSync('setfacl', ['-m', `u:${WEB.uid}:rw`, config]);
    const acl = runCli(['audit', root, '--web-user', 'web', ...users]);
    expect(acl.code).toBe(2);
    expect(acl.stderr).toContain('can be changed by user 21002 (an ACL entry)');
  });

  const fifoCases: [string, (dir: string) => string[]][] = [
    ['a FIFO as the config (audit)', (dir) => ['audit', dir, '--web-user', 'web']],
    ['a FIFO as the config (access walks up to it)', (dir) => ['access', join(dir, 'index.php'), '--web-user', 'web']],
    ['a FIFO as --config', (dir) => ['audit', dir, '--web-user', 'web', '--config', join(dir, 'permcheck.config.json')]],
  ];
  it.each(fifoCases)('%s ends at once with exit 2', (_name, args) => {
    const dir = join(tmp.path, `fifo${Math.random().toString(36).slice(2, 8)}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'index.php'), '');
    execFileSync('mkfifo', [join(dir, 'permcheck.config.json')]);
    const started = Date.now();
    const { code, stderr } = runCli([...args(dir), ...users], { timeout: 20_000 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^permcheck: config .*permcheck\.config\.json is a FIFO, not a regular file\n$/);
  });

  it('/dev/zero as --config ends at once with exit 2, and a config over 1 MiB is refused', () => {
    const zero = runCli(['audit', tmp.path, '--config', '/dev/zero', '--web-user', 'web', ...users], { timeout: 20_000 });
    expect(zero.code).toBe(2);
    expect(zero.stderr).toBe('permcheck: config /dev/zero is a character device, not a regular file\n');
    const big = join(tmp.path, 'big.json');
    writeFileSync(big, `{"ignore":[${'"x",'.repeat(300_000)}"y"]}`);
    const large = runCli(['audit', tmp.path, '--config', big, '--web-user', 'web', ...users]);
    expect(large.code).toBe(2);
    expect(large.stderr).toMatch(/is [\d,]+ bytes, more than the 1,048,576 permcheck reads\n$/);
  });

  it('a FIFO as magento_umask ends at once with exit 2; a symlinked one leaks nothing it points to', () => {
    const mage = join(tmp.path, 'mage');
    mkdirSync(join(mage, 'bin'), { recursive: true });
    writeFileSync(join(mage, 'bin', 'magento'), '');
    execFileSync('mkfifo', [join(mage, 'magento_umask')]);
    const fifo = runCli(['audit', mage, '--web-user', 'web', ...users], { timeout: 20_000 });
    expect(fifo.code).toBe(2);
    expect(fifo.stderr).toMatch(/magento_umask is a FIFO, not a regular file\n$/);
    execFileSync('rm', [join(mage, 'magento_umask')]);
    const secret = join(tmp.path, 'root-only');
    writeFileSync(secret, 'root:$6$SECRET-HASH-DO-NOT-PRINT:19000:0:99999:7:::\n', { mode: 0o600 });
    symlinkSync(secret, join(mage, 'magento_umask'));
    const linked = runCli(['audit', mage, '--web-user', 'web', ...users]);
    expect(linked.code).toBe(2);
    expect(linked.stderr).toMatch(/magento_umask is a symlink/);
    expect(linked.stdout + linked.stderr).not.toContain('SECRET');
  });

  it('a bad magento_umask is quoted as a short excerpt, escaped', () => {
    const mage = join(tmp.path, 'mage2');
    mkdirSync(join(mage, 'bin'), { recursive: true });
    writeFileSync(join(mage, 'bin', 'magento'), '');
    writeFileSync(join(mage, 'magento_umask'), `\u001b[2J${'9'.repeat(60)}`);
    const { code, stderr } = runCli(['audit', mage, '--web-user', 'web', ...users]);
    expect(code).toBe(2);
    expect(stderr).toContain("'\\x1b[2J999999999999999999999999999999999999…'");
    expect(stderr).not.toContain('\u001b');
  });

  it('init never writes through a symlink, and --force replaces the link, not its target', () => {
    const dir = join(tmp.path, 'init');
    mkdirSync(dir);
    const target = join(tmp.path, 'victim');
    writeFileSync(target, 'precious\n');
    symlinkSync(target, join(dir, 'permcheck.config.json'));
    const plain = runCli(['init', dir]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('already exists; use --force to replace it');
    const forced = runCli(['init', dir, '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    expect(lstatSync(join(dir, 'permcheck.config.json')).isFile()).toBe(true);
    expect(readFileSync(join(dir, 'permcheck.config.json'), 'utf8')).toContain('"preset"');
  });

  it('--trust USER lets a config that user owns decide', () => {
    const root = join(tmp.path, 'trusted');
    buildTree(root, [{ path: '.', type: 'dir', mode: 0o755, uid: DEPLOY.uid, gid: DEPLOY.gid }]);
    const config = join(root, 'permcheck.config.json');
    writeFileSync(config, '{"rules":{"mode-drift":"off"}}');
    chownSync(config, DEPLOY.uid, DEPLOY.gid);
    expect(runCli(['audit', root, '--web-user', 'web', ...users]).code).toBe(2);
    const trusted = runCliJson(['audit', root, '--format', 'json', '--web-user', 'web', '--trust', String(DEPLOY.uid), ...users]);
    expect(trusted.result.code).toBe(0);
    expect(trusted.json.config).toBe(config);
  });
});
