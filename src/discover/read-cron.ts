import { parseCrontab, type CronJob } from './crontab.js';
import type { CronFacts, ProcessFacts } from './facts.js';
import { whoElseCanChange, type HostFiles } from './host-files.js';
import { readUnit } from './read-proc.js';
import type { UnitFiles } from './read-units.js';

/** User crontabs: Debian keeps them in crontabs/, RHEL directly in /var/spool/cron. */
const USER_CRONTAB_DIRS = ['/var/spool/cron/crontabs', '/var/spool/cron'];

/** Every crontab this user may read, the running cron daemon, and the service that starts it. */
export function readCron(files: HostFiles, units: UnitFiles, processes: readonly ProcessFacts[], proc: string): CronFacts {
  const jobs: CronJob[] = [];
  for (const dir of USER_CRONTAB_DIRS) {
    for (const user of files.list(dir) ?? []) {
      const path = `${dir}/${user}`;
      if (user.startsWith('.') || !files.isFile(path)) continue;
      const text = files.read(path);
      if (text !== undefined) jobs.push(...parseCrontab(text, path, user).jobs);
    }
  }
  // cron skips backup and package-manager leftovers in /etc/cron.d.
  const system = [
    '/etc/crontab',
    ...(files.list('/etc/cron.d') ?? []).filter((name) => !/^\.|~$|\.dpkg-|\.rpm/.test(name)).map((name) => `/etc/cron.d/${name}`),
  ];
  const untrusted: Record<string, string> = {};
  for (const path of system) {
    const file = files.isFile(path) ? files.readOwned(path) : undefined;
    if (file === undefined) continue;
    const why = whoElseCanChange(file);
    if (why !== undefined) untrusted[path] = why;
    jobs.push(...parseCrontab(file.text, path).jobs);
  }
  const daemon = processes.find(
    (p) => (p.name === 'cron' || p.name === 'crond') && p.state !== 'Z' && !processes.some((q) => q.pid === p.ppid && q.name === p.name),
  );
  const unit = daemon ? readUnit(proc, daemon.pid) : undefined;
  return {
    jobs,
    untrusted,
    daemon,
    unitUmask: daemon ? units.umaskOfService(unit, /\bcrond?\b/) : units.firstUmask(['cron.service', 'crond.service', 'cronie.service']),
  };
}
