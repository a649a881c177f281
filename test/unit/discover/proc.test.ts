import { describe, expect, it } from 'vitest';
import { fpmTitle, optionValue, parseCmdline, parseProcStat, parseProcStatus } from '../../../src/discover/proc.js';
import { unitOfCgroup } from '../../../src/discover/systemd-unit.js';

/** A php-fpm worker on Linux 6.x (trimmed): Umask since 4.7, fs uid last on Uid:. */
const WORKER = `Name:\tphp-fpm8.2
Umask:\t0027
State:\tS (sleeping)
Tgid:\t1638
Ngid:\t0
Pid:\t1638
PPid:\t1636
TracerPid:\t0
Uid:\t65534\t65534\t65534\t65534
Gid:\t65534\t65534\t65534\t65534
FDSize:\t64
Groups:\t33 65534 
NStgid:\t1638
NSpid:\t1638
`;

/** Linux 4.4 wrote no Umask: line. */
const OLD_KERNEL = `Name:\tcron
State:\tS (sleeping)
Tgid:\t512
Ngid:\t0
Pid:\t512
PPid:\t1
TracerPid:\t0
Uid:\t0\t0\t0\t0
Gid:\t0\t0\t0\t0
FDSize:\t64
Groups:\t
`;

/** A zombie keeps its ids but has no fs_struct, so no Umask: and an empty Groups:. */
const ZOMBIE = `Name:\tphp-fpm8.2
State:\tZ (zombie)
Tgid:\t1636
Ngid:\t0
Pid:\t1636
PPid:\t1631
TracerPid:\t0
Uid:\t0\t0\t0\t0
Gid:\t0\t0\t0\t0
FDSize:\t0
Groups:\t
NStgid:\t1636\t12
NSpid:\t1636\t12
`;

describe('/proc/PID/status', () => {
  it('reads name, ids, groups and umask', () => {
    expect(parseProcStatus(WORKER)).toEqual({
      name: 'php-fpm8.2',
      pid: 1638,
      ppid: 1636,
      state: 'S',
      uid: 65534,
      gid: 65534,
      groups: [33, 65534],
      umask: 0o027,
      nsDepth: 1,
    });
  });

  it('has no umask on old kernels and for zombies', () => {
    expect(parseProcStatus(OLD_KERNEL)).toMatchObject({ name: 'cron', uid: 0, groups: [], umask: undefined, nsDepth: 1 });
    expect(parseProcStatus(ZOMBIE)).toMatchObject({ state: 'Z', umask: undefined, nsDepth: 2 });
  });

  it('takes the filesystem uid, which the kernel checks and gives to new files', () => {
    expect(parseProcStatus('Pid:\t9\nUid:\t1000\t0\t0\t33\nGid:\t1000\t1000\t1000\t1000\n')).toMatchObject({ uid: 33, gid: 1000 });
  });

  it('is undefined for text that is not a status file', () => {
    expect(parseProcStatus('')).toBeUndefined();
    expect(parseProcStatus('Name:\tx\n')).toBeUndefined();
  });
});

describe('/proc/PID/stat', () => {
  it('reads pid, name, state and parent, whatever the name holds', () => {
    expect(parseProcStat('1638 (php-fpm8.2) S 1636 1636 1636 0 -1 4194624 1088 0 0 0')).toEqual({
      pid: 1638,
      name: 'php-fpm8.2',
      state: 'S',
      ppid: 1636,
    });
    expect(parseProcStat('77 (a) b (c)) Z 1 77 77 0')).toEqual({ pid: 77, name: 'a) b (c)', state: 'Z', ppid: 1 });
    expect(parseProcStat('garbage')).toBeUndefined();
  });
});

describe('/proc/PID/cmdline and titles', () => {
  it('splits on NUL and drops the padding of a rewritten title', () => {
    expect(parseCmdline('php-fpm: pool shop\0\0\0\0\0\0')).toEqual(['php-fpm: pool shop']);
    expect(parseCmdline('/usr/bin/python3\0/usr/bin/supervisord\0-c\0/etc/supervisor/supervisord.conf\0')).toEqual([
      '/usr/bin/python3',
      '/usr/bin/supervisord',
      '-c',
      '/etc/supervisor/supervisord.conf',
    ]);
    expect(parseCmdline('')).toEqual([]);
  });

  it('knows php-fpm masters by their configuration and workers by their pool', () => {
    expect(fpmTitle(['php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf)'])).toEqual({
      role: 'master',
      conf: '/etc/php/8.2/fpm/php-fpm.conf',
    });
    expect(fpmTitle(['php-fpm: pool www   '])).toEqual({ role: 'worker', pool: 'www' });
    expect(fpmTitle(['/usr/sbin/php-fpm8.2', '--nodaemonize'])).toBeUndefined();
    expect(fpmTitle(['php-fpm-exporter', 'server'])).toBeUndefined();
  });

  it('finds option values in their usual spellings', () => {
    expect(optionValue(['-c', '/a'], '-c', '--configuration')).toBe('/a');
    expect(optionValue(['-c/a'], '-c', '--configuration')).toBe('/a');
    expect(optionValue(['--configuration=/b'], '-c', '--configuration')).toBe('/b');
    expect(optionValue(['--configuration', '/b'], '-c', '--configuration')).toBe('/b');
    expect(optionValue(['-n'], '-c', '--configuration')).toBeUndefined();
  });

  it('names the systemd service a process runs in, from cgroup v2 and v1', () => {
    expect(unitOfCgroup('0::/system.slice/php8.2-fpm.service\n')).toBe('php8.2-fpm.service');
    expect(unitOfCgroup('12:pids:/system.slice/cron.service\n1:name=systemd:/system.slice/cron.service\n0::/\n')).toBe('cron.service');
    expect(unitOfCgroup('0::/user.slice/user-1000.slice/session-3.scope\n')).toBeUndefined();
    expect(unitOfCgroup('0::/\n')).toBeUndefined();
  });
});
