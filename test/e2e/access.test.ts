import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, runCliJson } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { buildTree } from '../helpers/tree.js';
import { DEPLOY, isRoot, WEB, writeUserFiles } from '../helpers/users.js';
import { describeNeeding, NEEDS_ROOT } from '../helpers/needs.js';

const WWW = 21100;

describeNeeding({ [NEEDS_ROOT.chown]: isRoot })('permcheck access (built CLI)', () => {
  const tmp = makeTempDir('permcheck-access-');
  afterAll(() => tmp.cleanup());
  const app = join(tmp.path, 'app');
  let flags: string[];

  beforeAll(() => {
    const files = writeUserFiles(tmp.path);
    buildTree(app, [
      { path: 'pub', type: 'dir', mode: 0o700, uid: DEPLOY.uid, gid: WWW },
      { path: 'pub/index.php', type: 'file', mode: 0o644, uid: DEPLOY.uid, gid: WWW },
      { path: 'var', type: 'dir', mode: 0o2770, uid: DEPLOY.uid, gid: WWW },
      { path: 'var/cache', type: 'file', mode: 0o644, uid: WEB.uid, gid: WEB.gid },
      { path: 'tmp', type: 'dir', mode: 0o1777, uid: 0, gid: 0 },
      { path: 'tmp/sess', type: 'file', mode: 0o666, uid: DEPLOY.uid, gid: DEPLOY.gid },
      { path: 'current', type: 'symlink', target: 'var', uid: DEPLOY.uid, gid: DEPLOY.gid },
    ]);
    buildTree(app, [{ path: '.', type: 'dir', mode: 0o755, uid: DEPLOY.uid, gid: WWW }]);
    writeFileSync(join(app, 'permcheck.config.json'), JSON.stringify({ roles: { web: { user: 'web' }, cli: { user: 'deploy' } } }));
    // The config belongs to deploy: root trusts it only when told to.
    flags = ['--passwd', files.passwd, '--group', files.group, '--trust', String(DEPLOY.uid)];
  });

  it('names the directory that blocks traversal and why', () => {
    const { code, stdout, stderr } = runCli(['access', join(app, 'pub/index.php'), ...flags]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}web\s+web \(uid 21002\)\s+no\s+no\s+no\s+no$/m);
    expect(stdout).toMatch(/^ {2}cli\s+deploy \(uid 21001\)\s+yes\s+yes\s+no\s+yes$/m);
    expect(stdout).toContain(
      `web cannot reach ${app}/pub/index.php (nor delete it): it cannot enter ${app}/pub (drwx------ deploy:www): web is in group www, group has no x`,
    );
  });

  it('finds the config above the path and uses its roles (cron defaults to cli)', () => {
    const { json } = runCliJson(['access', '--json', join(app, 'var/cache'), ...flags]);
    expect(json.roles.cron).toMatchObject({ user: 'deploy', origin: 'default: same user as cli' });
    expect(json.results[0]).toMatchObject({ path: join(app, 'var/cache'), type: 'file', mode: '0644', owner: 'web', group: 'web' });
    expect(json.results[0].roles.cli).toMatchObject({ read: true, write: false, delete: true, class: 'other' });
    expect(json.results[0].roles.others).toMatchObject({ read: false, blockedBy: join(app, 'var') });
  });

  it('applies the sticky rule', () => {
    const { json } = runCliJson(['access', '--json', '--role', 'web', '--role', 'cli', join(app, 'tmp/sess'), ...flags]);
    expect(json.results[0].roles.web).toMatchObject({ write: true, delete: false });
    expect(json.results[0].roles.web.reasons.join(' ')).toContain('is sticky');
    expect(json.results[0].roles.cli).toMatchObject({ delete: true, class: 'owner' });
    expect(Object.keys(json.results[0].roles)).toEqual(['web', 'cli']);
  });

  it('follows a symlink for access, says so, and shows the chain with --chain', () => {
    const { code, stdout } = runCli(['access', '--chain', join(app, 'current'), ...flags]);
    expect(code).toBe(0);
    expect(stdout).toContain(`symlink ${app}/current -> var`);
    expect(stdout).toContain(`resolves to ${app}/var`);
    expect(stdout).toMatch(new RegExp(`drwxr-xr-x deploy:www\\s+${app}\\n`));
  });

  it('reports a missing path on stderr, prints the others, and exits 2', () => {
    const { code, stdout, stderr } = runCli(['access', join(app, 'nope'), join(app, 'var'), ...flags]);
    expect(code).toBe(2);
    expect(stderr).toBe(`permcheck: '${join(app, 'nope')}': no such file or directory (${join(app, 'nope')} does not exist)\n`);
    expect(stdout).toContain(`${app}/var  directory`);
  });

  it.each([
    [['--role', 'queue'], "permcheck: --role 'queue' is not a role here (known: web, cli, cron, others)\n"],
    [['--web-user', 'ghost'], "permcheck: role web: --web-user 'ghost': user 'ghost' not found in"],
    [['--passwd', '/nonexistent/passwd'], 'permcheck: --passwd /nonexistent/passwd does not exist\n'],
  ])('rejects %j with one line and exit 2', (extra, message) => {
    const { code, stderr } = runCli([
      'access',
      join(app, 'var'),
      ...flags.filter((f, i) => !(extra[0] === '--passwd' && (f === '--passwd' || flags[i - 1] === '--passwd'))),
      ...extra,
    ]);
    expect(code).toBe(2);
    expect(stderr.startsWith(message)).toBe(true);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('explain --for without a config: the framework root found by its markers stands for the project, and says so', () => {
    const site = join(tmp.path, 'site');
    buildTree(site, [
      { path: '.', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
      { path: 'wp-config.php', type: 'file', mode: 0o640, uid: 0, gid: 0 },
      { path: 'wp-includes', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
      { path: 'wp-includes/version.php', type: 'file', mode: 0o644, uid: 0, gid: 0 },
      { path: 'wp-content', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
      { path: 'wp-content/uploads', type: 'dir', mode: 0o2775, uid: WEB.uid, gid: WEB.gid },
    ]);
    const roles = ['--web-user', 'web', '--cli-user', 'deploy', '--cron-user', 'deploy'];
    const uploads = join(site, 'wp-content/uploads');
    const { json } = runCliJson(['explain', '--for', 'web', '--in', uploads, '--json', ...flags, ...roles], { cwd: tmp.path });
    expect(json.project).toEqual({
      directory: site,
      config: null,
      source: `none found above ${uploads}; ${site}, where a framework's marker files are, stands for the project`,
      notes: [],
    });
    // access picks the same project for a path in it (it once took the current directory, and with it
    // another cli user than explain's).
    const access = runCliJson(['access', uploads, '--json', ...flags, ...roles], { cwd: tmp.path }).json;
    expect(access.project).toEqual(json.project);
    // Outside any framework the current directory stands in.
    const bare = runCliJson(['explain', '--for', 'web', '--json', ...flags, ...roles], { cwd: tmp.path }).json;
    expect(bare.project).toMatchObject({
      directory: tmp.path,
      config: null,
      source: `none found above ${tmp.path}; the current directory stands for the project`,
    });
  });

  it('explain --for tells what a role creates in a directory and who can use it', () => {
    const { code, stdout } = runCli(['explain', '022', '--for', 'web', '--in', join(app, 'var'), ...flags], { cwd: app });
    expect(code).toBe(0);
    expect(stdout).toContain(`web (web) creates, under umask 0022 in ${app}/var (drwxrws--- deploy:www):`);
    expect(stdout).toContain('  files        0644 rw-r--r--  web:www');
    expect(stdout).toContain('  directories  2755 rwxr-sr-x  web:www');
    expect(stdout).toContain(
      'cli (deploy) can read them and delete the files, but cannot write the files or create entries in the directories',
    );
    expect(stdout).toContain(`others cannot reach them at all: it cannot enter ${app}/var`);
    // Where the answer comes from, as access and the audit header say it: the project, its config,
    // each role's user and umask with their origins.
    expect(stdout).toContain(`project ${app} (config ${app}/permcheck.config.json: the nearest above ${app}/var)\n`);
    expect(stdout).toMatch(/^roles {3}web web \(uid \d+\): roles\.web in \S+permcheck\.config\.json; umask 0022 \(default 0022\)$/m);
    const json = JSON.parse(runCli(['explain', '--for', 'cli', '--json', ...flags], { cwd: app }).stdout);
    expect(json.project).toMatchObject({ directory: app, config: join(app, 'permcheck.config.json') });
    expect(json.roles.cli).toMatchObject({ user: 'deploy', umask: '0022', origin: expect.stringContaining('roles.cli in') });
    expect(json).toMatchObject({
      role: 'cli',
      user: 'deploy',
      umask: '0022',
      in: null,
      file: { mode: '0644', owner: 'deploy', group: 'deploy' },
    });
    expect(json.others.web.cannot).toEqual(['write the files', 'create entries in the directories']);
    expect(runCli(['explain', '--for', 'queue', ...flags], { cwd: app }).stderr).toBe(
      "permcheck: --for 'queue' is not a role here (known: web, cli, cron)\n",
    );
    // Without --for, --in gives the rows of explain --mode as the policy says code creates there.
    const placed = runCli(['explain', '022', '--in', join(app, 'var'), ...flags], { cwd: app });
    expect(placed.code).toBe(0);
    expect(placed.stdout).toContain(`In ${app}/var, as the policy says the code creates there`);
  });

  it('reports a bad config with its key path', () => {
    const bad = join(tmp.path, 'bad.json');
    writeFileSync(bad, '{ "roles": { "web": { "user": "web", "umask": "1022" } } }');
    const { code, stderr } = runCli(['access', join(app, 'var'), '--config', bad, ...flags]);
    expect(code).toBe(2);
    expect(stderr).toBe(`permcheck: ${bad}: roles.web.umask: umask '1022' is out of range (0000-0777)\n`);
  });
});
