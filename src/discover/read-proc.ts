import { closeSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import type { ProcessFacts } from './facts.js';
import { parseCmdline, parseProcStat, parseProcStatus } from './proc.js';
import { unitOfCgroup } from './systemd-unit.js';

/**
 * The services whose processes tell who runs PHP, cron jobs and workers, by their name (the
 * executable's, 15 characters at most): php-fpm8.2, apache2, httpd, nginx, cron, crond, supervisord.
 */
const SERVICE = /^(?:php-fpm|apache2$|httpd$|nginx$|cron$|crond$|supervisord$)/;

/**
 * The processes of the services permcheck asks (and supervisord's children, whatever they are)
 * in `proc` (/proc, or a fixture with the same layout): credentials, umask and command line.
 * Only /proc/PID/stat is read for every process, the cheapest file there; status and cmdline
 * only for those. Processes that end while being read are skipped, and so are processes in
 * containers (a nested PID namespace): their config paths name files of another file system.
 */
export function readProcesses(proc: string): ProcessFacts[] {
  let names: string[];
  try {
    names = readdirSync(proc);
  } catch {
    return [];
  }
  const self = readProcText(`${proc}/self/status`);
  const ownDepth = (self !== undefined && parseProcStatus(self)?.nsDepth) || Infinity;
  const all = names.flatMap((name) => {
    if (!/^\d+$/.test(name)) return [];
    const stat = readProcText(`${proc}/${name}/stat`);
    const parsed = stat === undefined ? undefined : parseProcStat(stat);
    return parsed ? [parsed] : [];
  });
  const supervisors = new Set(all.filter((p) => p.name === 'supervisord').map((p) => p.pid));
  const processes: ProcessFacts[] = [];
  for (const { pid, name, ppid } of all) {
    if (!SERVICE.test(name) && !supervisors.has(ppid)) continue;
    const status = readProcText(`${proc}/${pid}/status`);
    const cmdline = readProcText(`${proc}/${pid}/cmdline`);
    if (status === undefined || cmdline === undefined) continue;
    const parsed = parseProcStatus(status);
    const argv = parseCmdline(cmdline);
    if (!parsed || (argv.length === 0 && parsed.state !== 'Z') || parsed.nsDepth > ownDepth) continue;
    processes.push({ ...parsed, argv });
  }
  return vouchedFor(processes, proc).sort((a, b) => a.pid - b.pid);
}

/**
 * Any local user may start a process named php-fpm8.2 with a title naming any file, or a supervisord
 * with its own -c: what such a process says would make that user the web role and make permcheck,
 * as root, read a file of that user's choosing. A service process counts only when:
 * - root or the user running permcheck runs it;
 * - the system's service manager runs it in that service's own unit (php-fpm in a php*fpm unit, nginx
 *   in nginx's...): a cron job stays in cron.service where no pam_systemd moves it to a session, so a
 *   php-fpm in cron.service is a user's job, not a service;
 * - its parent counts and started it as part of the service: a supervisord's programs, or the workers
 *   of a master that root or the service's unit runs (same name, one level: a worker's own children
 *   are whatever the PHP code runs).
 * cron's per-job children run as root and start what the user's crontab says: they vouch for nothing,
 * and cron itself only ever runs as root.
 */
function vouchedFor(processes: ProcessFacts[], proc: string): ProcessFacts[] {
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  const verdicts = new Map<number, boolean>();
  const units = new Map<number, boolean>();
  const ownUnit = (p: ProcessFacts): boolean => {
    let known = units.get(p.pid);
    if (known === undefined) units.set(p.pid, (known = inOwnService(proc, p)));
    return known;
  };
  // Root, the runner, or the service's own unit: what may start the service's workers.
  const master = (p: ProcessFacts) => byRoot(p) || ownUnit(p);
  const vouched = (p: ProcessFacts, depth: number): boolean => {
    const known = verdicts.get(p.pid);
    if (known !== undefined) return known;
    const parent = byPid.get(p.ppid);
    const byParent =
      parent !== undefined &&
      parent !== p &&
      depth < 8 &&
      (parent.name === 'supervisord' || (parent.name === p.name && !CRON.test(p.name) && master(parent))) &&
      vouched(parent, depth + 1);
    const verdict = CRON.test(p.name) ? byRoot(p) : master(p) || byParent;
    verdicts.set(p.pid, verdict);
    return verdict;
  };
  return processes.filter((p) => vouched(p, 0));
}

const CRON = /^crond?$/;

/**
 * Run by root or by the user running permcheck: a process whose word on its own configuration counts
 * (a php-fpm master, a web server, a supervisord). Any user's program can take such a name and title.
 */
export function byRoot(p: ProcessFacts): boolean {
  return p.uid === 0 || p.uid === (process.getuid?.() ?? 0);
}

/** The units each kind of service runs in, by the process's name. */
const OWN_UNIT: [RegExp, RegExp][] = [
  [/^php-fpm/, /^php[^/]*fpm[^/]*\.service$/],
  [/^(?:apache2|httpd)$/, /^(?:apache2|httpd)(?:@[^/]*)?\.service$/],
  [/^nginx$/, /^nginx\.service$/],
  [/^supervisord$/, /^supervisor(?:d)?\.service$/],
];

/**
 * Whether the system's service manager runs this process in its own kind of service (its cgroup
 * lies in system.slice, where no user can move a process, under a unit named for it).
 */
function inOwnService(proc: string, p: ProcessFacts): boolean {
  const units = OWN_UNIT.filter(([name]) => name.test(p.name)).map(([, unit]) => unit);
  if (units.length === 0) return false;
  const text = readProcText(`${proc}/${p.pid}/cgroup`);
  if (text === undefined) return false;
  return text.split('\n').some((line) => {
    // The path from its start: a user's delegated cgroup may be named "x:/system.slice/php8.2-fpm.service".
    const path = line.startsWith('0::') ? line.slice(3) : /^\d+:name=systemd:(.*)$/.exec(line)?.[1];
    const unit = path === undefined ? undefined : /^\/system\.slice\/([^/]+\.service)(?:\/|$)/.exec(path)?.[1];
    return unit !== undefined && units.some((pattern) => pattern.test(unit));
  });
}

/** The systemd service a process runs in, if any. */
export function readUnit(proc: string, pid: number): string | undefined {
  const text = readProcText(`${proc}/${pid}/cgroup`);
  return text === undefined ? undefined : unitOfCgroup(text);
}

/** A process's environment; undefined when this user may not read it (another user's, as non-root). */
export function readEnviron(proc: string, pid: number): Record<string, string> | undefined {
  const text = readProcText(`${proc}/${pid}/environ`);
  if (text === undefined) return undefined;
  const env: Record<string, string> = {};
  for (const pair of text.split('\0')) {
    const equals = pair.indexOf('=');
    if (equals > 0) env[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return env;
}

export function readCwd(proc: string, pid: number): string | undefined {
  try {
    return readlinkSync(`${proc}/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

let buffer = Buffer.allocUnsafe(16 * 1024);

/**
 * A /proc file in one open and a few reads into a reused buffer: /proc files report size 0, and
 * readFileSync's stat-and-grow dance costs three times as much over a thousand processes.
 */
function readProcText(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger);
        buffer = bigger;
      }
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    return buffer.toString('utf8', 0, length);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
