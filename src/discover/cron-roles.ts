import { formatOctal } from '../mode/bits.js';
import type { ValueSource } from './source.js';
import type { CronJob } from './crontab.js';
import { trustedCronJobs } from './cron-trust.js';
import { fileSource, processSource, unitSource, type Application, type DiscoveredRole } from './discovery.js';
import type { HostFacts } from './facts.js';
import { isInside, pathsIn, roleNameFrom } from './paths.js';

/** Whether a command names a path in the application (directly or through a symlink). */
export function touchesApplication(command: string, app: Application, realpaths: Readonly<Record<string, string>>): boolean {
  return pathsIn(command).some((path) => [path, realpaths[path] ?? path].some((p) => isInside(p, app.path) || isInside(p, app.real)));
}

/**
 * Cron jobs whose command names a path in the application, from crontabs that may decide a role
 * (`trusted`: the users whose own crontabs count, see cron-trust.ts): their user is the `cron` role
 * (the user with most such jobs; others become `cron-USER`), under the job's own `umask N;` or
 * else the cron daemon's umask, which every job inherits.
 */
export function cronRoles(facts: HostFacts, app: Application, notes: string[], trusted: ReadonlySet<string>): DiscoveredRole[] {
  const inApp = facts.cron.jobs.filter((job) => touchesApplication(job.expanded, app, facts.realpaths));
  const jobs = trustedCronJobs(inApp, facts.cron.untrusted, trusted, app, notes);
  const byUser = new Map<string, CronJob[]>();
  for (const job of jobs) (byUser.get(job.user) ?? byUser.set(job.user, []).get(job.user)!).push(job);
  const users = [...byUser.entries()].sort((a, b) => b[1].length - a[1].length);
  return users.map(([user, own], index) => {
    const first = own[0]!;
    const jobs = own.length > 1 ? `, ${own.length} jobs` : '';
    const sources: ValueSource[] = [fileSource('user', 'crontab', `crontab of ${user}${jobs}`, first, { command: first.command })];
    const role: DiscoveredRole = { name: index === 0 ? 'cron' : roleNameFrom(`cron-${user}`), user, sources };
    const umasks = [...new Set(own.map((job) => job.umask))];
    if (umasks.length > 1) {
      notes.push(
        `cron jobs of ${user} in ${app.path} run under different umasks: ${own.map((job) => `${job.file}:${job.line} ${job.umask === undefined ? "the daemon's" : formatOctal(job.umask)}`).join(', ')}`,
      );
    }
    const withUmask = own.find((job) => job.umask !== undefined);
    if (withUmask) {
      role.umask = withUmask.umask;
      sources.push(
        fileSource('umask', 'crontab', `umask ${formatOctal(withUmask.umask!)} in the job`, withUmask, { command: withUmask.command }),
      );
      return role;
    }
    const daemon = facts.cron.daemon;
    if (daemon?.umask !== undefined) {
      role.umask = daemon.umask;
      sources.push(processSource('umask', `the cron daemon (${daemon.name})`, daemon));
    } else if (facts.cron.unitUmask) {
      role.umask = facts.cron.unitUmask.umask;
      sources.push(unitSource(facts.cron.unitUmask));
    }
    return role;
  });
}
