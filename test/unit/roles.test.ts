import { describe, expect, it } from 'vitest';
import { ConfigError, UsageError } from '../../src/errors.js';
import { resolveRoles, type RoleInputs } from '../../src/roles/resolve.js';
import { UserDatabase } from '../../src/users/database.js';

const db = new UserDatabase(
  [
    { name: 'root', uid: 0, gid: 0 },
    { name: 'nginx', uid: 101, gid: 101 },
    { name: 'deploy', uid: 1001, gid: 1001 },
    { name: 'worker', uid: 1002, gid: 1002 },
  ],
  [
    { name: 'root', gid: 0, members: [] },
    { name: 'nginx', gid: 101, members: ['deploy'] },
    { name: 'deploy', gid: 1001, members: [] },
    { name: 'worker', gid: 1002, members: [] },
  ],
  'fixture files',
);

function inputs(overrides: Partial<RoleInputs> = {}): RoleInputs {
  return {
    config: {},
    configFile: 'permcheck.config.json',
    flags: {},
    project: { path: '/srv/app', uid: 1001 },
    defaultUmask: { value: 0o022, origin: 'default', kind: 'default' },
    ...overrides,
  };
}

describe('resolveRoles', () => {
  it('defaults: the first web server user that exists, cli = project owner, cron = cli', () => {
    const roles = resolveRoles(inputs(), db);
    expect(roles.map((r) => [r.name, r.user, r.gids])).toEqual([
      ['web', 'nginx', [101]],
      ['cli', 'deploy', [1001, 101]],
      ['cron', 'deploy', [1001, 101]],
    ]);
    expect(roles[0]!.origin).toMatch(/^default: first of www-data, nginx/);
  });

  it('takes the config, then flags over it, and keeps custom roles in order', () => {
    const roles = resolveRoles(
      inputs({
        config: { roles: { queue: { user: 'worker' }, web: { user: 'deploy', groups: ['nginx'], umask: '0002' } } },
        flags: { cron: 'worker' },
      }),
      db,
    );
    expect(roles.map((r) => r.name)).toEqual(['web', 'cli', 'cron', 'queue']);
    expect(roles[0]).toMatchObject({ user: 'deploy', gids: [101], umask: 0o002 });
    expect(roles[2]).toMatchObject({ user: 'worker', origin: '--cron-user' });
    expect(roles[3]).toMatchObject({ user: 'worker', umask: 0o022 });
  });

  it('accepts an unknown uid when its groups are given', () => {
    const roles = resolveRoles(inputs({ config: { roles: { web: { user: 4242, groups: [4242, 'nginx'] } } } }), db);
    expect(roles[0]).toMatchObject({ uid: 4242, gid: 4242, gids: [4242, 101], user: '4242' });
  });

  it('names the role, the user and where it looked', () => {
    expect(() => resolveRoles(inputs({ config: { roles: { web: { user: 'www-dta' } } } }), db)).toThrow(
      new ConfigError("permcheck.config.json: roles.web.user: user 'www-dta' not found in fixture files"),
    );
    expect(() => resolveRoles(inputs({ flags: { cli: 'ghost' } }), db)).toThrow(
      new UsageError("role cli: --cli-user 'ghost': user 'ghost' not found in fixture files"),
    );
    expect(() => resolveRoles(inputs({ config: { roles: { cli: { user: 'deploy', groups: ['nope'] } } } }), db)).toThrow(
      /roles\.cli\.groups\[0\]: group 'nope' not found/,
    );
    expect(() => resolveRoles(inputs({ flags: { web: '4242' } }), db)).toThrow(/uid 4242 is not in fixture files/);
  });

  it('fails clearly when no web server user exists', () => {
    const bare = new UserDatabase([{ name: 'root', uid: 0, gid: 0 }], [], 'bare files');
    expect(() => resolveRoles(inputs({ project: { path: '/x', uid: 0 } }), bare)).toThrow(
      /no web user: none of www-data, nginx, .* exists in bare files; name it with --web-user/,
    );
  });
});
