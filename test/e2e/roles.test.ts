import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli, runCliJson } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { hasSetpriv, isRoot, runCliAs, STRANGER, writeUserFiles } from '../helpers/users.js';
import { itNeeding, NEEDS_ROOT } from '../helpers/needs.js';

describe('permcheck roles (built CLI)', () => {
  const tmp = makeTempDir('permcheck-roles-');
  const app = join(tmp.path, 'app');
  let users: string[];
  beforeAll(() => {
    mkdirSync(app);
    const files = writeUserFiles(tmp.path);
    users = ['--passwd', files.passwd, '--group', files.group];
  });
  afterAll(() => tmp.cleanup());

  it("prints each role's user, groups and umask with its sources; another host's users turn discovery off", () => {
    const config = join(tmp.path, 'roles.json');
    writeFileSync(config, JSON.stringify({ umask: '0007', roles: { web: { user: 'web' }, queue: { user: 'cron', umask: '0002' } } }));
    const { result, json } = runCliJson(['roles', app, '--json', '--config', config, '--cli-user', 'deploy', ...users]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(json.notes).toEqual(['the host was not asked: --passwd/--group describe another host']);
    // The same shape as the roles in the audit's header and in access --json (roles/json.ts).
    expect(json.roles.web).toEqual({
      name: 'web',
      user: 'web',
      uid: 21002,
      gid: 21002,
      groups: ['web', 'www'],
      umask: '0007',
      umaskOrigin: `umask in ${config}`,
      origin: `roles.web in ${config}`,
      sources: [
        { field: 'user', kind: 'config', text: `roles.web.user in ${config}`, file: config },
        { field: 'groups', kind: 'user-database', text: `groups of web in ${users[1]} and ${users[3]}` },
        { field: 'umask', kind: 'config', text: `umask in ${config}` },
      ],
    });
    expect(json.roles.cli.sources[0]).toEqual({ field: 'user', kind: 'flag', text: '--cli-user' });
    expect(json.roles.cron.sources[0]).toEqual({ field: 'user', kind: 'default', text: 'default: same user as cli' });
    expect(json.roles.queue).toMatchObject({
      user: 'cron',
      umask: '0002',
      sources: [{}, {}, { field: 'umask', kind: 'config', text: `roles.queue.umask in ${config}` }],
    });
    expect(Object.keys(json.roles)).toEqual(['web', 'cli', 'cron', 'queue']);

    const text = runCli(['roles', app, '--config', config, '--cli-user', 'deploy', ...users]).stdout;
    expect(text).toBe(
      [
        `permcheck roles ${app}`,
        `  web    web (uid 21002; groups web, www), umask 0007`,
        `           user    roles.web.user in ${config}`,
        `           groups  groups of web in ${users[1]} and ${users[3]}`,
        `           umask   umask in ${config}`,
        `  cli    deploy (uid 21001; groups deploy, www), umask 0007`,
        `           user    --cli-user`,
        `           groups  groups of deploy in ${users[1]} and ${users[3]}`,
        `           umask   umask in ${config}`,
        `  cron   deploy (uid 21001; groups deploy, www), umask 0007`,
        `           user    default: same user as cli`,
        `           groups  groups of deploy in ${users[1]} and ${users[3]}`,
        `           umask   umask in ${config}`,
        `  queue  cron (uid 21003; groups cron, jobs), umask 0002`,
        `           user    roles.queue.user in ${config}`,
        `           groups  groups of cron in ${users[1]} and ${users[3]}`,
        `           umask   roles.queue.umask in ${config}`,
        '',
        'Notes',
        '  - the host was not asked: --passwd/--group describe another host',
        '',
      ].join('\n'),
    );
  });

  it('shows what --umask and --preset change, as audit would use them', () => {
    writeFileSync(join(app, 'artisan'), '');
    const { json } = runCliJson([
      'roles',
      app,
      '--json',
      '--web-user',
      'web',
      '--cli-user',
      'deploy',
      '--umask',
      'u=rwx,g=rwx,o=',
      ...users,
    ]);
    expect(json.roles.web).toMatchObject({ umask: '0007', sources: [{ kind: 'flag' }, {}, { kind: 'flag', text: '--umask' }] });
    const magento = runCliJson([
      'roles',
      app,
      '--json',
      '--web-user',
      'web',
      '--cli-user',
      'deploy',
      '--preset',
      'magento2',
      ...users,
    ]).json;
    expect(magento.roles.web.sources.at(-1)).toEqual({ field: 'umask', kind: 'framework', text: 'magento2 default 0002' });
  });

  it('rejects what is not a directory, on one line with exit 2', () => {
    const missing = runCli(['roles', join(tmp.path, 'nope'), ...users]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`permcheck: '${join(tmp.path, 'nope')}' does not exist or cannot be reached by this user\n`);
    writeFileSync(join(tmp.path, 'file'), '');
    const file = runCli(['roles', join(tmp.path, 'file'), ...users]);
    expect(file.code).toBe(2);
    expect(file.stderr).toBe(`permcheck: '${join(tmp.path, 'file')}' is not a directory; roles takes the application's root directory\n`);
    expect(runCli(['roles', app, '--umask', '1022', ...users]).stderr).toMatch(/^permcheck: --umask '1022' is out of range/);
  });

  // The Debian package cron makes /var/spool/cron/crontabs, which only root and group crontab may list.
  itNeeding({
    [NEEDS_ROOT.setpriv]: isRoot,
    'setpriv (Debian package util-linux)': hasSetpriv(),
    'the Debian package cron': existsSync('/var/spool/cron/crontabs'),
  })('reads the host as a user, and says what it could not read instead of failing', () => {
    const { code, stdout, stderr } = runCliAs(STRANGER, inject('publicBin'), [
      'roles',
      app,
      '--json',
      '--web-user',
      'www-data',
      '--cli-user',
      'root',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    expect(json.roles.web.user).toBe('www-data');
    expect(json.notes).toContain(
      'cannot read /var/spool/cron/crontabs as uid 21004 (permission denied): what it holds is not known; run as root to include it',
    );
  });
});
