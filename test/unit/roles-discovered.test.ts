import { describe, expect, it } from 'vitest';
import type { DiscoveredRole, Discovery } from '../../src/discover/discovery.js';
import { chooseDefaultUmask } from '../../src/policy/choose.js';
import { discoveryOffReason, type DefaultUmask } from '../../src/roles/precedence.js';
import { resolveRoleSet, type RoleInputs } from '../../src/roles/resolve.js';
import { UserDatabase } from '../../src/users/database.js';
import { PRESETS } from '../../src/policy/presets/index.js';

const db = new UserDatabase(
  [
    { name: 'root', uid: 0, gid: 0 },
    { name: 'www-data', uid: 33, gid: 33 },
    { name: 'nginx', uid: 101, gid: 101 },
    { name: 'deploy', uid: 1001, gid: 1001 },
    { name: 'shop', uid: 1005, gid: 1005 },
  ],
  [
    { name: 'root', gid: 0, members: [] },
    { name: 'www-data', gid: 33, members: ['deploy'] },
    { name: 'nginx', gid: 101, members: [] },
    { name: 'deploy', gid: 1001, members: [] },
    { name: 'shop', gid: 1005, members: [] },
    { name: 'media', gid: 2000, members: ['shop'] },
  ],
  'fixture files',
);

const DEFAULT: DefaultUmask = { value: 0o022, origin: 'default 0022', kind: 'default' };

/** php-fpm pool shop as /proc shows its workers: uid 1005, groups www-data and shop, umask 0027. */
const WEB_PROCESS: DiscoveredRole = {
  name: 'web',
  user: 1005,
  group: 33,
  gids: [33, 1005],
  umask: 0o027,
  sources: [
    { field: 'user', kind: 'process', text: 'php-fpm pool shop, pid 201', pid: 201, pool: 'shop' },
    { field: 'groups', kind: 'process', text: 'php-fpm pool shop, pid 201', pid: 201, pool: 'shop' },
    { field: 'umask', kind: 'process', text: 'php-fpm pool shop, pid 201', pid: 201, pool: 'shop' },
  ],
};

function inputs(discovered: Discovery, overrides: Partial<RoleInputs> = {}): RoleInputs {
  return {
    config: {},
    configFile: 'permcheck.config.json',
    flags: {},
    project: { path: '/srv/shop', uid: 1001 },
    defaultUmask: DEFAULT,
    discovered,
    ...overrides,
  };
}

describe('roles from the host', () => {
  it('bind web to the running pool: its uid, real groups and umask, each with its source', () => {
    const { roles, notes } = resolveRoleSet(inputs({ roles: [WEB_PROCESS], notes: ['from the host'] }), db);
    expect(roles[0]).toMatchObject({
      name: 'web',
      user: 'shop',
      uid: 1005,
      gid: 33,
      gids: [33, 1005],
      groups: ['www-data', 'shop'],
      umask: 0o027,
    });
    expect(roles[0]!.origin).toBe('php-fpm pool shop, pid 201');
    expect(roles[0]!.umaskOrigin).toBe('php-fpm pool shop, pid 201');
    expect(roles[0]!.sources.map((s) => [s.field, s.kind])).toEqual([
      ['user', 'process'],
      ['groups', 'process'],
      ['umask', 'process'],
    ]);
    expect(roles[1]).toMatchObject({ name: 'cli', user: 'deploy', umask: 0o022, umaskOrigin: 'default 0022' });
    expect(notes).toEqual(['from the host']);
  });

  it('keep flags and config above the host, per value, and say where they disagree', () => {
    const { roles, notes } = resolveRoleSet(
      inputs({ roles: [WEB_PROCESS], notes: [] }, { config: { roles: { web: { user: 'nginx' } } } }),
      db,
    );
    // The user is the config's; the umask, which the config does not set, is still the pool's.
    expect(roles[0]).toMatchObject({ user: 'nginx', gids: [101], umask: 0o027, origin: 'roles.web in permcheck.config.json' });
    expect(notes).toEqual(['roles.web in permcheck.config.json names nginx, but php-fpm pool shop, pid 201 runs as shop']);
    const flagged = resolveRoleSet(inputs({ roles: [WEB_PROCESS], notes: [] }, { flags: { web: 'shop' } }), db);
    expect(flagged.roles[0]).toMatchObject({ user: 'shop', gids: [1005, 2000], origin: '--web-user' });
    expect(flagged.notes).toEqual([]);
  });

  it("rank the framework's umask, --umask and the config's umask above the host's", () => {
    const magento: DefaultUmask = chooseDefaultUmask(undefined, {}, undefined, PRESETS.magento2, { text: '002\n', file: 'magento_umask' });
    expect(magento).toEqual({ value: 0o002, origin: 'magento_umask', kind: 'framework' });
    const { roles, notes } = resolveRoleSet(inputs({ roles: [WEB_PROCESS], notes: [] }, { defaultUmask: magento }), db);
    expect(roles[0]).toMatchObject({ user: 'shop', umask: 0o002, umaskOrigin: 'magento_umask' });
    expect(roles[0]!.sources.find((s) => s.field === 'umask')).toEqual({ field: 'umask', kind: 'framework', text: 'magento_umask' });
    expect(notes).toEqual([
      'web: the host runs it under umask 0027 (php-fpm pool shop, pid 201), but magento_umask says 0002, which permcheck uses',
    ]);
    expect(chooseDefaultUmask('007', {}, undefined, undefined, undefined).kind).toBe('flag');
    expect(chooseDefaultUmask(undefined, { umask: '007' }, undefined, PRESETS.magento2, undefined).kind).toBe('config');
    expect(chooseDefaultUmask(undefined, {}, undefined, PRESETS.magento2, undefined).kind).toBe('framework');
    expect(chooseDefaultUmask(undefined, {}, undefined, PRESETS.laravel, undefined).kind).toBe('default');
    const own = resolveRoleSet(
      inputs({ roles: [WEB_PROCESS], notes: [] }, { config: { roles: { web: { user: 'shop', umask: '0077' } } } }),
      db,
    );
    expect(own.roles[0]).toMatchObject({ umask: 0o077, umaskOrigin: 'its umask in the config' });
  });

  it("give a pool's user from its file the groups initgroups gives: the pool's group and the user's memberships", () => {
    const fromFile: DiscoveredRole = {
      name: 'web',
      user: 'shop',
      group: 'www-data',
      initgroups: true,
      sources: [{ field: 'user', kind: 'fpm-pool', text: 'user = shop in pool shop (/etc/php/8.2/fpm/pool.d/shop.conf:3)' }],
    };
    const { roles } = resolveRoleSet(inputs({ roles: [fromFile], notes: [] }), db);
    // Not 1005: shop's own primary group is not among them.
    expect(roles[0]).toMatchObject({ user: 'shop', gid: 33, gids: [33, 2000], umask: 0o022 });
  });

  it('add cron and worker roles, skip a worker that a configured role already names, and fall back when a user is unknown', () => {
    const discovered: Discovery = {
      roles: [
        { name: 'web', user: 'ghost', sources: [{ field: 'user', kind: 'fpm-pool', text: 'user = ghost in pool www (/p:2)' }] },
        {
          name: 'cron',
          user: 'deploy',
          umask: 0o002,
          sources: [
            { field: 'user', kind: 'crontab', text: 'crontab of deploy (/c:2)' },
            { field: 'umask', kind: 'crontab', text: 'umask 0002 in the job (/c:2)' },
          ],
        },
        {
          name: 'horizon',
          user: 1005,
          gids: [1005],
          umask: 0o007,
          sources: [{ field: 'user', kind: 'process', text: 'supervisor program horizon, pid 7' }],
        },
        {
          name: 'consumer',
          user: 'deploy',
          sources: [{ field: 'user', kind: 'supervisor', text: 'user=deploy in supervisor program consumer (/s:3)' }],
        },
      ],
      notes: [],
    };
    const { roles, notes } = resolveRoleSet(inputs(discovered, { config: { roles: { queue: { user: 'deploy' } } } }), db);
    expect(roles.map((r) => [r.name, r.user, r.umask])).toEqual([
      ['web', 'www-data', 0o022],
      ['cli', 'deploy', 0o022],
      ['cron', 'deploy', 0o002],
      ['queue', 'deploy', 0o022],
      ['horizon', 'shop', 0o007],
    ]);
    expect(notes).toEqual([
      'user = ghost in pool www (/p:2): user ghost is not in fixture files; role web keeps its default',
      'user=deploy in supervisor program consumer (/s:3) runs as deploy, like role queue: not added as a role of its own',
    ]);
  });

  it('note a config file that names another user than the running process', () => {
    const changed: DiscoveredRole = {
      ...WEB_PROCESS,
      declaredUser: { user: 'www-data', source: { field: 'user', kind: 'fpm-pool', text: 'user = www-data in pool shop (/p:2)' } },
    };
    expect(resolveRoleSet(inputs({ roles: [changed], notes: [] }), db).notes).toEqual([
      'user = www-data in pool shop (/p:2) says www-data, but php-fpm pool shop, pid 201 runs as shop: was it changed without a restart?',
    ]);
  });
});

describe('discoveryOffReason', () => {
  it('is off with --no-discover and with another host’s users', () => {
    expect(discoveryOffReason({})).toBeUndefined();
    expect(discoveryOffReason({ discover: true })).toBeUndefined();
    expect(discoveryOffReason({ discover: false })).toBe('not asked (--no-discover)');
    expect(discoveryOffReason({ passwd: '/x' })).toBe('not asked: --passwd/--group describe another host');
  });
});
