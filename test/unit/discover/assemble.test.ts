import { describe, expect, it } from 'vitest';
import { assembleDiscovery } from '../../../src/discover/assemble.js';
import type { CronJob } from '../../../src/discover/crontab.js';
import type { FpmMaster, HostFacts, ProcessFacts, SupervisorFacts, WebSite } from '../../../src/discover/facts.js';
import type { FpmPoolConfig } from '../../../src/discover/fpm-config.js';
import type { SupervisorProgram } from '../../../src/discover/supervisor-config.js';

const APP = { path: '/srv/shop/current', real: '/srv/shop/releases/42' };
/** The users whose own crontabs count: root, the runner, the application's owner (here deploy), and whom flags or config name. */
const CRONTAB_USERS: ReadonlySet<string> = new Set(['root', 'deploy', 'backup']);

function facts(overrides: Partial<HostFacts> = {}): HostFacts {
  return {
    processes: [],
    fpm: [],
    sites: [],
    webServers: [],
    cron: { jobs: [], untrusted: {}, daemon: undefined, unitUmask: undefined },
    supervisors: [],
    realpaths: {},
    notes: [],
    ...overrides,
  };
}

function process(pid: number, argv: string[], extra: Partial<ProcessFacts> = {}): ProcessFacts {
  return { pid, ppid: 1, name: 'x', state: 'S', uid: 0, gid: 0, groups: [], umask: 0o022, nsDepth: 1, argv, ...extra };
}

function pool(name: string, user: string, listen: string, file = `/etc/php/8.2/fpm/pool.d/${name}.conf`): FpmPoolConfig {
  return {
    name,
    file,
    line: 1,
    settings: {
      user: { value: user, file, line: 2 },
      group: { value: 'www-data', file, line: 3 },
      listen: { value: listen, file, line: 4 },
    },
  };
}

function master(pools: FpmPoolConfig[], pid?: number, unitUmask?: FpmMaster['unitUmask']): FpmMaster {
  return { conf: '/etc/php/8.2/fpm/php-fpm.conf', pid, pools, unitUmask };
}

function site(root: string, socket: string | undefined, extra: Partial<WebSite> = {}): WebSite {
  const file = '/etc/nginx/sites-enabled/shop';
  return {
    server: 'nginx',
    config: '/etc/nginx/nginx.conf',
    file,
    line: 3,
    root: { value: root, file, line: 5 },
    fastcgi: socket ? [{ value: { kind: 'unix', path: socket }, file, line: 9 }] : [],
    modPhp: false,
    ...extra,
  };
}

function job(user: string, command: string, line: number, umask?: number): CronJob {
  const file = `/var/spool/cron/crontabs/${user}`;
  return { file, line, crontab: 'user', user, schedule: '* * * * *', command, expanded: command, umask };
}

/** A job of /etc/cron.d/FILE, run as `user`. */
function systemJob(file: string, user: string, command: string, line: number): CronJob {
  return { ...job(user, command, line), file: `/etc/cron.d/${file}`, crontab: 'system' };
}

function program(name: string, command: string, extra: Partial<SupervisorProgram> = {}): SupervisorProgram {
  const file = `/etc/supervisor/conf.d/${name}.conf`;
  return {
    name,
    file,
    line: 1,
    command: { value: command, file, line: 2 },
    directory: undefined,
    user: undefined,
    umask: undefined,
    unexpanded: [],
    ...extra,
  };
}

function supervisor(programs: SupervisorProgram[], extra: Partial<SupervisorFacts> = {}): SupervisorFacts {
  return {
    conf: '/etc/supervisor/supervisord.conf',
    process: undefined,
    programs,
    user: undefined,
    unitUmask: undefined,
    ...extra,
  };
}

describe('the web role', () => {
  it('is the pool whose socket the site rooted in the application uses, as its running workers show it', () => {
    const workers = [
      process(201, ['php-fpm: pool shop'], { ppid: 200, uid: 1005, gid: 33, groups: [33, 1005], umask: 0o027 }),
      process(202, ['php-fpm: pool shop'], { ppid: 200, uid: 1005, gid: 33, groups: [33, 1005], umask: 0o027 }),
      process(203, ['php-fpm: pool www'], { ppid: 200, uid: 33, gid: 33, groups: [33] }),
    ];
    const discovery = assembleDiscovery(
      facts({
        processes: [process(200, ['php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf)'], { umask: 0o027 }), ...workers],
        fpm: [
          master([pool('www', 'www-data', '/run/php/php8.2-fpm.sock'), pool('shop', 'shop', '/run/php/shop.sock')], 200, {
            unit: 'php8.2-fpm.service',
            umask: 0o002,
            file: '/etc/systemd/system/php8.2-fpm.service.d/umask.conf',
            line: 2,
          }),
        ],
        sites: [site('/var/www/html', '/run/php/php8.2-fpm.sock'), site('/srv/shop/current/pub', '/run/php/shop.sock')],
      }),
      APP,
      CRONTAB_USERS,
    );
    const web = discovery.roles.find((role) => role.name === 'web')!;
    expect(web).toMatchObject({ user: 1005, group: 33, gids: [33, 1005], umask: 0o027 });
    expect(web.sources.map((s) => [s.field, s.kind, s.text])).toEqual([
      ['user', 'process', 'php-fpm pool shop, pid 201'],
      ['user', 'fpm-pool', 'user = shop in pool shop (/etc/php/8.2/fpm/pool.d/shop.conf:2)'],
      ['user', 'web-server', 'nginx sends PHP under /srv/shop/current/pub to /run/php/shop.sock (/etc/nginx/sites-enabled/shop:9)'],
      ['groups', 'process', 'php-fpm pool shop, pid 201'],
      ['umask', 'process', 'php-fpm pool shop, pid 201'],
    ]);
    expect(web.declaredUser?.user).toBe('shop');
    expect(discovery.notes).toEqual([
      'php-fpm pool shop runs under umask 0027 (pid 201), but php8.2-fpm.service sets UMask=0002 (/etc/systemd/system/php8.2-fpm.service.d/umask.conf:2): a restart changes it',
    ]);
  });

  it('says when two pools could serve the application, and prefers the running one', () => {
    const discovery = assembleDiscovery(
      facts({
        processes: [process(300, ['php-fpm: master process (/etc/php-fpm.conf)'])],
        fpm: [
          master([pool('a', 'alice', '/run/a.sock')]),
          { ...master([pool('b', 'bob', '127.0.0.1:9000')], 300), conf: '/etc/php-fpm.conf' },
        ],
        sites: [
          site('/srv/shop/releases/42/pub', '/run/a.sock'),
          {
            ...site('/srv/shop/current', undefined),
            fastcgi: [{ value: { kind: 'tcp', host: 'localhost', port: 9000 }, file: '/x', line: 1 }],
          },
        ],
      }),
      APP,
      CRONTAB_USERS,
    );
    expect(discovery.roles[0]).toMatchObject({ name: 'web', user: 'bob', group: 'www-data', initgroups: true, umask: 0o022 });
    expect(discovery.notes[0]).toBe(
      '2 php-fpm pools could serve /srv/shop/current: a (/etc/php/8.2/fpm/pool.d/a.conf:1), b (/etc/php/8.2/fpm/pool.d/b.conf:1, running); web is taken from pool b (name the user with --web-user or roles.web.user if that is wrong)',
    );
    expect(discovery.roles[0]!.sources.find((s) => s.field === 'umask')?.text).toBe('php-fpm master of pool b, pid 300');
  });

  it('assumes the only pool when no site is rooted in the application, and says so', () => {
    const discovery = assembleDiscovery(
      facts({
        fpm: [master([pool('www', 'www-data', '/run/php/php8.2-fpm.sock')], undefined, { unit: 'php8.2-fpm.service', umask: 0o022 })],
        sites: [site('/var/www/html', '/run/php/php8.2-fpm.sock')],
      }),
      APP,
      CRONTAB_USERS,
    );
    expect(discovery.roles[0]).toMatchObject({ user: 'www-data', umask: 0o022 });
    expect(discovery.roles[0]!.sources.map((s) => s.text)).toEqual([
      'user = www-data in pool www (/etc/php/8.2/fpm/pool.d/www.conf:2)',
      'group = www-data in pool www, and the groups listing www-data (/etc/php/8.2/fpm/pool.d/www.conf:3)',
      "php8.2-fpm.service sets no UMask= (systemd's default 0022)",
    ]);
    expect(discovery.notes).toEqual([
      'no web server site found with its root in /srv/shop/current: web is assumed to be php-fpm pool www (the only configured pool); name the user with --web-user or roles.web.user if that is wrong',
    ]);
  });

  it("says when a site's socket has no pool, and falls back to Apache's user under mod_php", () => {
    const apacheSite = site('/srv/shop/current', undefined, { server: 'apache', config: '/etc/apache2/apache2.conf', modPhp: true });
    const discovery = assembleDiscovery(
      facts({
        sites: [site('/srv/shop/current/pub', '/run/php/gone.sock'), apacheSite],
        webServers: [
          {
            server: 'apache',
            config: '/etc/apache2/apache2.conf',
            pid: undefined,
            user: { value: 'www-data', file: '/etc/apache2/apache2.conf', line: 115 },
            group: { value: 'www-data', file: '/etc/apache2/apache2.conf', line: 116 },
            umask: { value: 0o002, file: '/etc/apache2/envvars', line: 16 },
            unitUmask: undefined,
          },
        ],
      }),
      APP,
      CRONTAB_USERS,
    );
    expect(discovery.notes[0]).toBe(
      'nginx sends PHP under /srv/shop/current/pub to /run/php/gone.sock (/etc/nginx/sites-enabled/shop:9), but no php-fpm pool found listens there',
    );
    expect(discovery.roles[0]).toMatchObject({ name: 'web', user: 'www-data', group: 'www-data', umask: 0o002 });
    expect(discovery.roles[0]!.sources.find((s) => s.field === 'umask')?.text).toBe(
      "umask 0002 in apache's envvars (/etc/apache2/envvars:16)",
    );
  });

  it('has no web role on a host without php-fpm or mod_php', () => {
    expect(assembleDiscovery(facts(), APP, CRONTAB_USERS)).toEqual({ roles: [], notes: [] });
  });
});

describe('cron roles', () => {
  it('come from jobs that name a path in the application, through symlinks too, under their own umask or the daemon’s', () => {
    const discovery = assembleDiscovery(
      facts({
        cron: {
          jobs: [
            job('root', 'run-parts /etc/cron.hourly', 1),
            job('deploy', 'cd /srv/shop/current && php bin/magento cron:run', 3),
            job('deploy', '/usr/bin/php /srv/shop/releases/42/bin/magento setup:cron:run', 4),
            job('backup', 'umask 077; tar czf /backups/shop.tgz /srv/shop/current', 7, 0o077),
            job('deploy', 'php /srv/shop/releases/41/bin/magento cron:run', 5),
          ],
          untrusted: {},
          daemon: process(500, ['/usr/sbin/cron', '-f'], { name: 'cron', umask: 0o022 }),
          unitUmask: undefined,
        },
      }),
      APP,
      CRONTAB_USERS,
    );
    expect(discovery.roles.map((r) => [r.name, r.user, r.umask])).toEqual([
      ['cron', 'deploy', 0o022],
      ['cron-backup', 'backup', 0o077],
    ]);
    expect(discovery.roles[0]!.sources.map((s) => s.text)).toEqual([
      'crontab of deploy, 2 jobs (/var/spool/cron/crontabs/deploy:3)',
      'the cron daemon (cron), pid 500',
    ]);
    expect(discovery.roles[1]!.sources[1]!.text).toBe('umask 0077 in the job (/var/spool/cron/crontabs/backup:7)');
  });

  it('notes jobs of one user under different umasks', () => {
    const discovery = assembleDiscovery(
      facts({
        cron: {
          jobs: [job('deploy', 'umask 002; php /srv/shop/current/a', 1, 0o002), job('deploy', 'php /srv/shop/current/b', 2)],
          untrusted: {},
          daemon: undefined,
          unitUmask: { unit: 'cron.service', umask: 0o022 },
        },
      }),
      APP,
      CRONTAB_USERS,
    );
    expect(discovery.roles[0]).toMatchObject({ name: 'cron', umask: 0o002 });
    expect(discovery.notes).toEqual([
      "cron jobs of deploy in /srv/shop/current run under different umasks: /var/spool/cron/crontabs/deploy:1 0002, /var/spool/cron/crontabs/deploy:2 the daemon's",
    ]);
  });
});

describe('cron roles and who may decide them', () => {
  const cron = (jobs: CronJob[], untrusted: Record<string, string> = {}) =>
    facts({ cron: { jobs, untrusted, daemon: undefined, unitUmask: { unit: 'cron.service', umask: 0o022 } } });

  it('leave out a crontab that its user installed, unless a trusted source names that user; one note a user, naming the flag', () => {
    const discovery = assembleDiscovery(
      cron([
        job('mallory', 'php /srv/shop/current/artisan schedule:run', 1),
        job('mallory', 'umask 000; php /srv/shop/current/bin/x', 2, 0),
        job('deploy', 'cd /srv/shop/current && php bin/magento cron:run', 3),
        job('eve', 'php /srv/blog/wp-cron.php', 1),
      ]),
      APP,
      CRONTAB_USERS,
    );
    // mallory has more jobs in the application, and still takes neither `cron` nor a role of its own.
    expect(discovery.roles.map((r) => [r.name, r.user])).toEqual([['cron', 'deploy']]);
    expect(discovery.notes).toEqual([
      "crontab of mallory (/var/spool/cron/crontabs/mallory:1) works in /srv/shop/current, but any user may install a crontab: one decides a role only for root, you, the owner of /srv/shop/current and users a flag or the config names; if mallory runs the application's jobs, pass --cron-user mallory",
    ]);
  });

  it('count a system crontab that root alone can change, whichever user it names; not one that others can change', () => {
    const discovery = assembleDiscovery(
      cron(
        [
          systemJob('shop', 'www-data', 'cd /srv/shop/current && php bin/magento cron:run', 2),
          systemJob('planted', 'mallory', 'php /srv/shop/current/bin/x', 1),
          systemJob('planted', 'mallory', 'php /srv/shop/current/bin/y', 2),
        ],
        { '/etc/cron.d/planted': 'group 1001 can change it' },
      ),
      APP,
      new Set(['root']),
    );
    expect(discovery.roles.map((r) => [r.name, r.user])).toEqual([['cron', 'www-data']]);
    expect(discovery.notes).toEqual([
      '/etc/cron.d/planted works in /srv/shop/current, but group 1001 can change it: a system crontab decides a role only when root alone can change it',
    ]);
  });

  it('say nothing of crontabs that do not work in the application, and quote an odd user name for the shell', () => {
    const discovery = assembleDiscovery(
      cron([job("o'hara x", 'php /srv/shop/current/a', 4), job('eve', 'php /srv/blog/a', 1)], {
        '/etc/cron.d/other': 'any local user can change it',
      }),
      APP,
      new Set(['root']),
    );
    expect(discovery.roles).toEqual([]);
    expect(discovery.notes).toHaveLength(1);
    expect(discovery.notes[0]).toMatch(/pass --cron-user 'o'\\''hara x'$/);
  });
});

describe('worker roles', () => {
  it('come from supervisor programs in the application; a running child shows its real user and umask', () => {
    const daemon = process(600, ['/usr/bin/python3', '/usr/bin/supervisord', '-n'], { umask: 0o022 });
    const child = process(601, ['php', '/srv/shop/current/bin/magento', 'queue:consumers:start', 'a'], {
      ppid: 600,
      uid: 1001,
      gid: 1001,
      groups: [1001, 33],
      umask: 0o002,
      environ: { SUPERVISOR_PROCESS_NAME: 'magento-consumer', SUPERVISOR_GROUP_NAME: 'magento-consumer' },
    });
    const discovery = assembleDiscovery(
      facts({
        processes: [daemon, child],
        supervisors: [
          supervisor(
            [
              program('magento-consumer', 'php /srv/shop/current/bin/magento queue:consumers:start a', {
                user: { value: 'deploy', file: '/etc/supervisor/conf.d/magento-consumer.conf', line: 3 },
              }),
              program('elsewhere', 'php /srv/blog/worker.php'),
            ],
            { process: daemon },
          ),
        ],
      }),
      APP,
      CRONTAB_USERS,
    );
    expect(discovery.roles).toHaveLength(1);
    expect(discovery.roles[0]).toMatchObject({ name: 'magento-consumer', user: 1001, gids: [1001, 33], umask: 0o002 });
    expect(discovery.roles[0]!.sources.map((s) => [s.field, s.kind, s.text])).toEqual([
      ['user', 'process', 'supervisor program magento-consumer, pid 601'],
      ['user', 'supervisor', 'user=deploy in supervisor program magento-consumer (/etc/supervisor/conf.d/magento-consumer.conf:3)'],
      ['groups', 'process', 'supervisor program magento-consumer, pid 601'],
      ['umask', 'process', 'supervisor program magento-consumer, pid 601'],
    ]);
  });

  it("without a running child: the program's user= and umask=, else supervisord's umask; several programs alike become queue", () => {
    const at = (line: number) => ({ file: '/etc/supervisor/conf.d/w.conf', line });
    const discovery = assembleDiscovery(
      facts({
        supervisors: [
          supervisor(
            [
              program('Laravel Worker', 'php artisan queue:work', {
                directory: { value: '/srv/shop/current', ...at(3) },
                user: { value: 'forge', ...at(4) },
                umask: { value: 0o002, ...at(5) },
              }),
              program('horizon', 'php /srv/shop/current/artisan horizon', {
                user: { value: 'forge', ...at(9) },
                umask: { value: 0o002, ...at(10) },
              }),
              program('cron', 'supercronic /srv/shop/current/crontab', { user: { value: 'deploy', ...at(12) } }),
            ],
            {
              unitUmask: { unit: 'supervisor.service', umask: 0o007, file: '/etc/systemd/system/supervisor.service.d/umask.conf', line: 2 },
            },
          ),
        ],
      }),
      APP,
      CRONTAB_USERS,
    );
    expect(discovery.roles.map((r) => [r.name, r.user, r.umask])).toEqual([
      ['queue', 'forge', 0o002],
      ['cron-worker', 'deploy', 0o007],
    ]);
    expect(discovery.roles[0]!.sources.filter((s) => s.field === 'user').map((s) => s.program)).toEqual(['Laravel Worker', 'horizon']);
    expect(discovery.roles[1]!.sources.map((s) => s.text)).toEqual([
      'user=deploy in supervisor program cron (/etc/supervisor/conf.d/w.conf:12)',
      'UMask=0007 of supervisor.service (/etc/systemd/system/supervisor.service.d/umask.conf:2)',
    ]);
  });

  it('says which %(ENV_X)s it could not fill in', () => {
    const discovery = assembleDiscovery(
      facts({
        supervisors: [
          supervisor([
            program('w', '%(ENV_APP)s/run', { directory: { value: '/srv/shop/current', file: '/w', line: 2 }, unexpanded: ['ENV_APP'] }),
          ]),
        ],
      }),
      APP,
      CRONTAB_USERS,
    );
    expect(discovery.roles[0]).toMatchObject({ name: 'w', user: 0 });
    expect(discovery.notes).toEqual([
      'supervisor program w (/etc/supervisor/conf.d/w.conf:1) uses %(ENV_APP)s, which permcheck could not fill in (supervisord is not running)',
    ]);
  });
});
