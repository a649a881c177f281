import { posix } from 'node:path';
import type { ProcessFacts, SupervisorFacts } from './facts.js';
import type { HostFiles } from './host-files.js';
import { optionValue } from './proc.js';
import { byRoot, readCwd, readEnviron, readUnit } from './read-proc.js';
import type { UnitFiles } from './read-units.js';
import { supervisorConfig } from './supervisor-config.js';

const SUPERVISOR_CONFIGS = ['/etc/supervisor/supervisord.conf', '/etc/supervisord.conf'];

/**
 * supervisord configurations: the running daemons' (from their command line, with their
 * environment for %(ENV_X)s and their children's, which name the program they run), then the
 * installed ones.
 */
export function readSupervisors(files: HostFiles, units: UnitFiles, processes: readonly ProcessFacts[], proc: string): SupervisorFacts[] {
  const found: SupervisorFacts[] = [];
  const seen = new Set<string>();
  const add = (conf: string, process: ProcessFacts | undefined) => {
    const real = files.realpath(conf);
    if (seen.has(real)) return;
    seen.add(real);
    // Its programs become roles: a file someone besides root can change decides nothing.
    const text = files.readTrusted(conf);
    if (text === undefined) return;
    const config = supervisorConfig(text, conf, files.trustedInclude, process?.environ ?? {});
    const values = config.supervisord?.values ?? {};
    const unit = process ? readUnit(proc, process.pid) : undefined;
    found.push({
      conf,
      process,
      programs: config.programs,
      user: values.user,
      unitUmask: process ? units.umaskOfService(unit, /supervisord/) : units.firstUmask(['supervisor.service', 'supervisord.service']),
    });
  };
  for (const process of processes) {
    const at = process.argv.findIndex((arg) => posix.basename(arg) === 'supervisord');
    // Only root's (or the runner's) supervisord: another user's names programs of its own choosing.
    if (at === -1 || process.state === 'Z' || !byRoot(process)) continue;
    process.environ = readEnviron(proc, process.pid);
    for (const child of processes) if (child.ppid === process.pid) child.environ = readEnviron(proc, child.pid);
    const args = process.argv.slice(at + 1);
    const named = optionValue(args, '-c', '--configuration');
    const cwd = readCwd(proc, process.pid) ?? '/';
    if (named !== undefined) add(posix.isAbsolute(named) ? named : posix.join(cwd, named), process);
    else {
      // supervisord's own search when no -c is given.
      const here = posix.dirname(posix.dirname(process.argv[at]!));
      const candidates = [
        `${here}/etc/supervisord.conf`,
        `${here}/supervisord.conf`,
        `${cwd}/supervisord.conf`,
        `${cwd}/etc/supervisord.conf`,
        ...SUPERVISOR_CONFIGS,
      ];
      const conf = candidates.find((path) => files.isFile(path));
      if (conf) add(conf, process);
    }
  }
  for (const conf of SUPERVISOR_CONFIGS) add(conf, undefined);
  return found;
}
