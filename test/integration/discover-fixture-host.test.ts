import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverRoles } from '../../src/discover/discover.js';
import type { Discovery } from '../../src/discover/discovery.js';
import { hasCommand } from '../helpers/attacker.js';
import { makeTempDir } from '../helpers/tmp.js';
import { isRoot } from '../helpers/users.js';

/**
 * A whole host in a directory: /etc, /lib/systemd, /var/spool/cron and a /proc with the files
 * the reader uses, laid out as on Debian with systemd. The reader runs against it as it runs
 * against / and /proc.
 */
function buildHost(root: string): void {
  const write = (path: string, content: string, mode = 0o644) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
    chmodSync(join(root, path), mode);
  };
  const proc = (pid: number, status: string, cmdline: string[], extra: Record<string, string> = {}) => {
    const [name, ...lines] = status.split('\n');
    const field = (key: string) => lines.find((line) => line.startsWith(`${key}:`))?.split(/\s+/)[1] ?? '0';
    write(`proc/${pid}/status`, `Name:\t${name}\nPid:\t${pid}\n${lines.join('\n')}\n`);
    write(`proc/${pid}/stat`, `${pid} (${name}) ${field('State').charAt(0) || 'S'} ${field('PPid')} ${pid} ${pid} 0 -1 4194560\n`);
    write(`proc/${pid}/cmdline`, cmdline.join('\0') + '\0');
    for (const [name, text] of Object.entries(extra)) write(`proc/${pid}/${name}`, text);
  };
  mkdirSync(join(root, 'run/systemd/system'), { recursive: true });
  mkdirSync(join(root, 'srv/shop/releases/42/pub'), { recursive: true });
  symlinkSync('releases/42', join(root, 'srv/shop/current'));

  write('etc/php/8.2/fpm/php-fpm.conf', '[global]\npid = /run/php/php8.2-fpm.pid\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n');
  write('etc/php/8.2/fpm/pool.d/www.conf', '[www]\nuser = www-data\ngroup = www-data\nlisten = /run/php/php8.2-fpm.sock\n');
  write('etc/php/8.2/fpm/pool.d/shop.conf', '; the shop\n[shop]\nuser = shop\ngroup = www-data\nlisten = /run/php/$pool.sock\n');
  write(
    'lib/systemd/system/php8.2-fpm.service',
    '[Service]\nType=notify\nExecStart=/usr/sbin/php-fpm8.2 --nodaemonize --fpm-config /etc/php/8.2/fpm/php-fpm.conf\n',
  );
  write('etc/systemd/system/php8.2-fpm.service.d/10-group.conf', '[Service]\nUMask=0002\n');
  write('etc/systemd/system/php8.2-fpm.service.d/20-private.conf', '# tighter\n[Service]\nUMask=0007\n');
  write('lib/systemd/system/cron.service', '[Service]\nExecStart=/usr/sbin/cron -f $EXTRA_OPTS\n');
  write('lib/systemd/system/supervisor.service', '[Service]\nExecStart=/usr/bin/supervisord -n -c /etc/supervisor/supervisord.conf\n');

  write('etc/nginx/nginx.conf', 'user www-data;\nhttp {\n  include /etc/nginx/sites-enabled/*;\n}\n');
  write(
    'etc/nginx/sites-enabled/shop',
    'server {\n  root /srv/shop/current/pub;\n  location ~ \\.php$ {\n    fastcgi_pass unix:/run/php/shop.sock;\n  }\n}\n',
  );

  // deploy owns the application (the caller trusts its crontab); anyone may install a crontab, as mallory did.
  write('var/spool/cron/crontabs/deploy', 'MAILTO=""\n* * * * * cd /srv/shop/current && php bin/magento cron:run\n', 0o600);
  write('var/spool/cron/crontabs/mallory', '@reboot php /srv/shop/current/bin/magento cron:run\n@hourly php /srv/shop/current/x\n', 0o600);
  write('etc/crontab', 'SHELL=/bin/sh\n17 * * * * root cd / && run-parts --report /etc/cron.hourly\n');
  // A system crontab names its users: root wrote it, so backup's job counts though backup is no one permcheck trusts.
  write('etc/cron.d/shop-backup', '@daily backup umask 077; tar czf /backups/shop.tgz /srv/shop/releases/42\n');
  // One that any local user can change decides nothing, whatever it says.
  write('etc/cron.d/planted', '* * * * * mallory php /srv/shop/current/x\n', 0o666);

  write(
    'etc/supervisor/supervisord.conf',
    '[supervisord]\nlogfile=/var/log/supervisor/supervisord.log\n\n[include]\nfiles = conf.d/*.conf\n',
  );
  write(
    'etc/supervisor/conf.d/consumer.conf',
    '[program:magento-consumer]\ncommand=php %(ENV_APP)s/bin/magento queue:consumers:start async.operations.all\nuser=deploy\n',
  );

  write('proc/self/status', 'self\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nNSpid:\t7');
  proc(
    100,
    'php-fpm8.2\nState:\tS (sleeping)\nPPid:\t1\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nUmask:\t0027\nNSpid:\t100',
    ['php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf)'],
    { cgroup: '0::/system.slice/php8.2-fpm.service\n' },
  );
  proc(
    101,
    'php-fpm8.2\nState:\tS (sleeping)\nPPid:\t100\nUid:\t1005\t1005\t1005\t1005\nGid:\t33\t33\t33\t33\nGroups:\t33 1005\nUmask:\t0027',
    ['php-fpm: pool shop'],
  );
  // A container's php-fpm: seen from the host, but its config paths name another file system.
  proc(150, 'php-fpm8.2\nState:\tS (sleeping)\nPPid:\t149\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nNSpid:\t150\t1', [
    'php-fpm: master process (/usr/local/etc/php-fpm.conf)',
  ]);
  proc(
    200,
    'supervisord\nState:\tS (sleeping)\nPPid:\t1\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nUmask:\t0022',
    ['/usr/bin/python3', '/usr/bin/supervisord', '-n', '-c', '/etc/supervisor/supervisord.conf'],
    { environ: 'LANG=C\0APP=/srv/shop/current\0', cgroup: '0::/system.slice/supervisor.service\n' },
  );
  proc(
    201,
    'php8.2\nState:\tS (sleeping)\nPPid:\t200\nUid:\t1001\t1001\t1001\t1001\nGid:\t1001\t1001\t1001\t1001\nGroups:\t1001 33\nUmask:\t0002',
    ['php', '/srv/shop/current/bin/magento', 'queue:consumers:start', 'async.operations.all'],
    { environ: 'SUPERVISOR_ENABLED=1\0SUPERVISOR_PROCESS_NAME=magento-consumer\0SUPERVISOR_GROUP_NAME=magento-consumer\0' },
  );
  // A kernel thread: no command line.
  proc(2, 'kthreadd\nState:\tS (sleeping)\nPPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0', []);
}

/** Whose own crontabs count, as the caller says: root, the runner, the application's owner (deploy). */
const CRONTAB_USERS: ReadonlySet<string> = new Set(['root', 'deploy']);

describe('discoverRoles on a fixture host', () => {
  const tmp = makeTempDir('permcheck-host-');
  let discovery: Discovery;
  beforeAll(() => {
    buildHost(tmp.path);
    discovery = discoverRoles('/srv/shop/current', CRONTAB_USERS, { root: tmp.path });
  });
  afterAll(() => tmp.cleanup());

  it('finds the pool nginx sends the application to, its running workers, and the unit whose drop-in disagrees', () => {
    const web = discovery.roles.find((role) => role.name === 'web')!;
    expect(web).toMatchObject({ user: 1005, group: 33, gids: [33, 1005], umask: 0o027, declaredUser: { user: 'shop' } });
    expect(web.sources.map((s) => s.text)).toEqual([
      'php-fpm pool shop, pid 101',
      'user = shop in pool shop (/etc/php/8.2/fpm/pool.d/shop.conf:3)',
      'nginx sends PHP under /srv/shop/current/pub to /run/php/shop.sock (/etc/nginx/sites-enabled/shop:4)',
      'php-fpm pool shop, pid 101',
      'php-fpm pool shop, pid 101',
    ]);
    expect(discovery.notes).toContain(
      'php-fpm pool shop runs under umask 0027 (pid 101), but php8.2-fpm.service sets UMask=0007 (/etc/systemd/system/php8.2-fpm.service.d/20-private.conf:3): a restart changes it',
    );
  });

  it("finds the cron jobs working in the application, through the release symlink, under cron.service's umask", () => {
    const cron = discovery.roles.filter((role) => role.name.startsWith('cron'));
    expect(cron.map((r) => [r.name, r.user, r.umask])).toEqual([
      ['cron', 'deploy', 0o022],
      ['cron-backup', 'backup', 0o077],
    ]);
    expect(cron[0]!.sources.map((s) => s.text)).toEqual([
      'crontab of deploy (/var/spool/cron/crontabs/deploy:2)',
      "cron.service sets no UMask= (systemd's default 0022)",
    ]);
    expect(cron[0]!.sources[0]!.command).toBe('cd /srv/shop/current && php bin/magento cron:run');
    expect(cron[1]!.sources[0]!.file).toBe('/etc/cron.d/shop-backup');
  });

  it("finds the supervisor program by supervisord's environment and its running child", () => {
    const worker = discovery.roles.find((role) => role.name === 'magento-consumer')!;
    expect(worker).toMatchObject({ user: 1001, gids: [1001, 33], umask: 0o002, declaredUser: { user: 'deploy' } });
    expect(worker.sources[0]).toEqual({
      field: 'user',
      kind: 'process',
      text: 'supervisor program magento-consumer, pid 201',
      pid: 201,
      program: 'magento-consumer',
    });
  });

  it("notes, once each, the crontabs that may not decide a role: a user's own that no trusted source names, a system one others can change", () => {
    expect(discovery.roles.flatMap((r) => [r.user, r.declaredUser?.user])).not.toContain('mallory');
    expect(discovery.notes.filter((note) => note.includes('mallory') || note.includes('planted'))).toEqual([
      "crontab of mallory (/var/spool/cron/crontabs/mallory:1) works in /srv/shop/current, but any user may install a crontab: one decides a role only for root, you, the owner of /srv/shop/current and users a flag or the config names; if mallory runs the application's jobs, pass --cron-user mallory",
      '/etc/cron.d/planted works in /srv/shop/current, but any local user can change it: a system crontab decides a role only when root alone can change it',
    ]);
  });

  it('counts the same crontab once a trusted source names its user (--cron-user mallory)', () => {
    const named = discoverRoles('/srv/shop/current', new Set([...CRONTAB_USERS, 'mallory']), { root: tmp.path });
    expect(named.roles.filter((r) => r.name.startsWith('cron')).map((r) => [r.name, r.user])).toEqual([
      ['cron', 'mallory'],
      ['cron-deploy', 'deploy'],
      ['cron-backup', 'backup'],
    ]);
  });

  it('has nothing else to say', () => {
    expect(discovery.roles.map((r) => r.name)).toEqual(['web', 'cron', 'cron-backup', 'magento-consumer']);
    expect(discovery.notes).toHaveLength(3);
  });

  it('assumes the first configured pool (in glob order), under its unit, for an application no site serves', () => {
    const other = discoverRoles('/srv/other', CRONTAB_USERS, { root: tmp.path, proc: join(tmp.path, 'no-proc') });
    expect(other.roles).toEqual([
      expect.objectContaining({ name: 'web', user: 'shop', group: 'www-data', initgroups: true, umask: 0o007 }),
    ]);
    expect(other.roles[0]!.sources.at(-1)!.text).toBe(
      'UMask=0007 of php8.2-fpm.service (/etc/systemd/system/php8.2-fpm.service.d/20-private.conf:3)',
    );
    expect(other.notes).toEqual([
      'no web server site found with its root in /srv/other: web is assumed to be php-fpm pool shop (the first of 2 configured pools: shop, www); name the user with --web-user or roles.web.user if that is wrong',
    ]);
  });

  it('neither hangs on a FIFO where a config file should be nor follows includes that include themselves forever', () => {
    const root = join(tmp.path, 'hostile');
    mkdirSync(join(root, 'etc/nginx/conf.d'), { recursive: true });
    writeFileSync(join(root, 'etc/nginx/nginx.conf'), 'http {\n  include /etc/nginx/conf.d/*.conf;\n}\n');
    for (const name of ['a', 'b', 'c', 'd', 'e'])
      writeFileSync(join(root, `etc/nginx/conf.d/${name}.conf`), 'include /etc/nginx/conf.d/*.conf;\n');
    execFileSync('mkfifo', [join(root, 'etc/supervisord.conf')]);
    const started = performance.now();
    const found = discoverRoles('/srv/app', CRONTAB_USERS, { root });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(found.roles).toEqual([]);
    expect(found.notes).toEqual(['stopped following includes after 2000 files (at /etc/nginx/conf.d/*.conf): do they include themselves?']);
  });

  // What cron itself wants of /etc/cron.d (root owns the link and the file, neither group nor others
  // write), and an ACL entry that grants write, which cron does not look at but which lets its user write any job.
  it.skipIf(!isRoot || !hasCommand('setfacl'))(
    'does not count a system crontab behind a symlink someone else owns, or one an ACL entry lets someone else write (root, acl)',
    () => {
      const root = join(tmp.path, 'system-crontabs');
      mkdirSync(join(root, 'etc/cron.d'), { recursive: true });
      mkdirSync(join(root, 'srv/app'), { recursive: true });
      const job = (user: string) => `* * * * * ${user} php /srv/app/artisan schedule:run\n`;
      writeFileSync(join(root, 'etc/shop.cron'), job('shop'), { mode: 0o644 });
      symlinkSync('../shop.cron', join(root, 'etc/cron.d/linked'));
      execFileSync('chown', ['-h', '4242', join(root, 'etc/cron.d/linked')]);
      writeFileSync(join(root, 'etc/cron.d/acl'), job('acl'), { mode: 0o644 });
      execFileSync('setfacl', ['-m', 'u:4243:rw', join(root, 'etc/cron.d/acl')]);
      writeFileSync(join(root, 'etc/cron.d/plain'), job('plain'), { mode: 0o644 });
      const found = discoverRoles('/srv/app', CRONTAB_USERS, { root });
      expect(found.roles.map((r) => [r.name, r.user])).toEqual([['cron', 'plain']]);
      expect(found.notes).toEqual([
        '/etc/cron.d/acl works in /srv/app, but uid 4243 (an ACL entry) can change it: a system crontab decides a role only when root alone can change it',
        '/etc/cron.d/linked works in /srv/app, but uid 4242 (owner of the symlink) can change it: a system crontab decides a role only when root alone can change it',
      ]);
    },
  );

  // Failed while only the main configuration was checked: root's php-fpm.conf includes pool.d/*.conf,
  // and a pool file a user owns said user = pcatk. And a supervisor program that took a master's title,
  // naming a file of its own, counted because root's supervisord started it.
  it.skipIf(process.getuid?.() !== 0)(
    'lets no pool or site file a user can change, nor a master or web server a user runs, decide the web role (needs root: chown)',
    () => {
      const root = join(tmp.path, 'includes');
      const write = fixtureWriter(root);
      write('etc/php/8.2/fpm/php-fpm.conf', '[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n');
      write('etc/php/8.2/fpm/pool.d/www.conf', '[www]\nuser = pcatk\nlisten = /run/php/www.sock\n');
      write('proc/self/status', 'self\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nNSpid:\t7');
      const web = () => discoverRoles('/srv/app', CRONTAB_USERS, { root });
      chownSync(join(root, 'etc/php/8.2/fpm/pool.d/www.conf'), 1001, 1001);
      const found = web();
      expect(found.roles.find((role) => role.name === 'web')?.user).not.toBe('pcatk');
      expect(found.notes.join('\n')).toContain('ignored /etc/php/8.2/fpm/pool.d/www.conf: uid 1001 (its owner) can change it');
      // root's own pool file is believed (the control).
      chownSync(join(root, 'etc/php/8.2/fpm/pool.d/www.conf'), 0, 0);
      expect(web().roles.find((role) => role.name === 'web')?.user).toBe('pcatk');

      // A supervisor program (uid 1002) titled as a master, naming a file it owns.
      write('opt/evil/fpm.conf', '[evil]\nuser = pcdep-evil\nlisten = /tmp/evil.sock\n');
      write('proc/40/stat', '40 (supervisord) S 1 40 40 0 -1\n');
      write('proc/40/status', 'Name:\tsupervisord\nPid:\t40\nPPid:\t1\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nUmask:\t0022\n');
      write('proc/40/cmdline', '/usr/bin/python3\0/usr/bin/supervisord\0-n\0');
      write('proc/41/stat', '41 (php-fpm8.2) S 40 41 41 0 -1\n');
      write(
        'proc/41/status',
        'Name:\tphp-fpm8.2\nPid:\t41\nPPid:\t40\nUid:\t1002\t1002\t1002\t1002\nGid:\t1002\t1002\t1002\t1002\nUmask:\t0022\n',
      );
      write('proc/41/cmdline', 'php-fpm8.2: master process (/opt/evil/fpm.conf)\0');
      expect(JSON.stringify(web().roles)).not.toContain('pcdep-evil');

      // An apache2 of that user's (a copy of any program, so named) with -f naming its own mod_php site.
      write(
        'opt/evil/httpd.conf',
        'LoadModule php_module /usr/lib/apache2/modules/libphp8.2.so\nUser pcdep-apache\nDocumentRoot /srv/app\n',
      );
      write('proc/42/stat', '42 (apache2) S 40 42 42 0 -1\n');
      write(
        'proc/42/status',
        'Name:\tapache2\nPid:\t42\nPPid:\t40\nUid:\t1002\t1002\t1002\t1002\nGid:\t1002\t1002\t1002\t1002\nUmask:\t0022\n',
      );
      write('proc/42/cmdline', '/usr/sbin/apache2\0-f\0/opt/evil/httpd.conf\0');
      expect(JSON.stringify(web().roles)).not.toContain('pcdep-apache');
      // Run by root, the same site counts once root owns its file (the control), not while a user does.
      write('proc/42/status', 'Name:\tapache2\nPid:\t42\nPPid:\t1\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nUmask:\t0022\n');
      chownSync(join(root, 'opt/evil/httpd.conf'), 1002, 1002);
      const byUserFile = web();
      expect(JSON.stringify(byUserFile.roles)).not.toContain('pcdep-apache');
      expect(byUserFile.notes.join('\n')).toContain('ignored /opt/evil/httpd.conf: uid 1002 (its owner) can change it');
      chownSync(join(root, 'opt/evil/httpd.conf'), 0, 0);
      expect(web().roles.find((role) => role.name === 'web')?.user).toBe('pcdep-apache');
    },
  );

  // A cron job stays in cron.service where no pam_systemd moves it (Debian's cron): a php-fpm there is
  // a user's job, not the service, whatever it names.
  it("does not count a user's php-fpm as a master, in cron's service or php-fpm's", () => {
    const root = join(tmp.path, 'cron-job');
    const write = fixtureWriter(root);
    write('opt/fpm/php-fpm.conf', '[evil]\nuser = pcatk\nlisten = /tmp/evil.sock\n');
    write('proc/self/status', 'self\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nNSpid:\t7');
    write('proc/5/stat', '5 (php-fpm8.2) S 1 5 5 0 -1\n');
    write(
      'proc/5/status',
      'Name:\tphp-fpm8.2\nPid:\t5\nPPid:\t1\nUid:\t1001\t1001\t1001\t1001\nGid:\t1001\t1001\t1001\t1001\nUmask:\t0022\n',
    );
    write('proc/5/cmdline', 'php-fpm: master process (/opt/fpm/php-fpm.conf)\0');
    write('proc/5/cgroup', '0::/system.slice/cron.service\n');
    const found = discoverRoles('/srv/app', CRONTAB_USERS, { root });
    expect(found.roles.find((role) => role.name === 'web')?.user).not.toBe('pcatk');
    // Nor in php-fpm's own unit: there any pool's PHP code could start it. A master not run by root
    // runs every pool as itself, whatever its file says: its file names no one.
    write('proc/5/cgroup', '0::/system.slice/php8.2-fpm.service\n');
    expect(discoverRoles('/srv/app', CRONTAB_USERS, { root }).roles.find((role) => role.name === 'web')?.user).not.toBe('pcatk');
    // Run by root, it is the service.
    write('proc/5/status', 'Name:\tphp-fpm8.2\nPid:\t5\nPPid:\t1\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nUmask:\t0022\n');
    expect(discoverRoles('/srv/app', CRONTAB_USERS, { root }).roles.find((role) => role.name === 'web')?.user).toBe('pcatk');
  });

  it('ignores the UMask= of a unit that does not start php-fpm, such as the ssh session it was started from', () => {
    const root = join(tmp.path, 'by-hand');
    const write = fixtureWriter(root);
    mkdirSync(join(root, 'run/systemd/system'), { recursive: true });
    write('lib/systemd/system/ssh.service', '[Service]\nExecStart=/usr/sbin/sshd -D\nUMask=0077\n');
    write('opt/fpm/php-fpm.conf', '[www]\nuser = www-data\nlisten = /tmp/www.sock\n');
    write('proc/5/stat', '5 (php-fpm8.2) S 1 5 5 0 -1\n');
    write('proc/5/status', 'Name:\tphp-fpm8.2\nPid:\t5\nPPid:\t1\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nUmask:\t0022\n');
    write('proc/5/cmdline', 'php-fpm: master process (/opt/fpm/php-fpm.conf)\0');
    write('proc/5/cgroup', '0::/system.slice/ssh.service\n');
    const found = discoverRoles('/srv/app', CRONTAB_USERS, { root });
    expect(found.roles[0]).toMatchObject({ name: 'web', user: 'www-data', umask: 0o022 });
    expect(found.roles[0]!.sources.at(-1)!.text).toBe('php-fpm master of pool www, pid 5');
    expect(found.notes).toEqual([
      'no web server site found with its root in /srv/app: web is assumed to be php-fpm pool www (the only running pool); name the user with --web-user or roles.web.user if that is wrong',
    ]);
  });
});

/** Writes a fixture host's file, its directories made as needed: paths as the host has them, below `root`. */
function fixtureWriter(root: string): (path: string, content: string) => void {
  return (path, content) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  };
}
