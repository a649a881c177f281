import type { UserDatabase } from '../users/database.js';
import type { CronJob } from './crontab.js';
import type { Application } from './discovery.js';

/**
 * The cron jobs in the application that may decide a role. Anyone may install a crontab of their
 * own (crontab(1) needs no privilege) naming any path, and its user would become the cron role:
 * permcheck would then advise root to hand that user the application's writable directories. So
 * a user crontab counts only when its user is trusted already (`trusted`: root, the user running
 * permcheck, the owner of the application root, users that a flag or the trusted config names),
 * and a system crontab only when no one but root can change it. The others are noted, each once,
 * with how to bind their user on purpose.
 */
export function trustedCronJobs(
  jobs: readonly CronJob[],
  untrusted: Readonly<Record<string, string>>,
  trusted: ReadonlySet<string>,
  app: Application,
  notes: string[],
): CronJob[] {
  const counted: CronJob[] = [];
  const noted = new Set<string>();
  const note = (key: string, text: () => string) => {
    if (!noted.has(key)) notes.push(text());
    noted.add(key);
  };
  for (const job of jobs) {
    const why = untrusted[job.file];
    if (job.crontab === 'system' && why !== undefined) {
      note(
        job.file,
        () => `${job.file} works in ${app.path}, but ${why}: a system crontab decides a role only when root alone can change it`,
      );
    } else if (job.crontab === 'user' && !trusted.has(job.user)) {
      note(
        `user ${job.user}`,
        () =>
          `crontab of ${job.user} (${job.file}:${job.line}) works in ${app.path}, but any user may install a crontab: ` +
          `one decides a role only for root, you, the owner of ${app.path} and users a flag or the config names; ` +
          `if ${job.user} runs the application's jobs, pass --cron-user ${shellWord(job.user)}`,
      );
    } else counted.push(job);
  }
  return counted;
}

/**
 * The names whose own crontabs may decide a role: those of `uids` (root, the runner, the owner of
 * the application root, --trust users) and the `users` that a trusted source names (flags, the
 * config's roles), as names or uids.
 */
export function trustedCrontabUsers(
  db: UserDatabase,
  trusted: { uids: Iterable<number>; users: Iterable<string | number | undefined> },
): Set<string> {
  const names = new Set<string>(['root']);
  for (const uid of trusted.uids) {
    const name = db.userByUid(uid)?.name;
    if (name !== undefined) names.add(name);
  }
  for (const user of trusted.users) {
    if (user === undefined) continue;
    if (typeof user === 'string' && !/^\d+$/.test(user)) names.add(user);
    else {
      const name = db.userByUid(Number(user))?.name;
      if (name !== undefined) names.add(name);
    }
  }
  return names;
}

/** A user name as a shell word: as it is when plain, else in single quotes. */
function shellWord(name: string): string {
  return /^[A-Za-z0-9._@-]+$/.test(name) ? name : `'${name.replace(/'/g, `'\\''`)}'`;
}
