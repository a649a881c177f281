import type { HostFacts } from './facts.js';
import { HostFiles } from './host-files.js';
import { pathsIn } from './paths.js';
import { readCron } from './read-cron.js';
import { readFpm } from './read-fpm.js';
import { readProcesses } from './read-proc.js';
import { readSupervisors } from './read-supervisor.js';
import { readWebServers } from './read-web.js';
import { UnitFiles } from './read-units.js';

export interface HostOptions {
  /** Read the host's files below this directory instead of / (a fixture host in tests). */
  root?: string;
  /** Read processes from this directory instead of /proc. */
  proc?: string;
}

/**
 * Read what the host says about who runs PHP, cron jobs and workers: /proc and config files
 * only, never `ps` or `systemctl`, so it cannot hang and stays fast.
 */
export function readHost(files: HostFiles, proc: string, notes: string[]): HostFacts {
  const processes = readProcesses(proc);
  // sd_booted(): systemd runs this host when /run/systemd/system exists; elsewhere units decide nothing.
  const units = new UnitFiles(files, files.isDirectory('/run/systemd/system'));
  const fpm = readFpm(files, units, processes, proc);
  const { servers, sites } = readWebServers(files, units, processes, proc);
  const cron = readCron(files, units, processes, proc);
  const supervisors = readSupervisors(files, units, processes, proc);
  const paths = new Set<string>();
  for (const site of sites) {
    paths.add(site.root.value);
    for (const target of site.fastcgi) if (target.value.kind === 'unix') paths.add(target.value.path);
  }
  for (const master of fpm)
    for (const pool of master.pools) if (pool.settings.listen?.value.startsWith('/')) paths.add(pool.settings.listen.value);
  for (const job of cron.jobs) for (const path of pathsIn(job.expanded)) paths.add(path);
  for (const supervisor of supervisors) {
    for (const program of supervisor.programs) {
      if (program.directory) paths.add(program.directory.value);
      for (const path of pathsIn(program.command?.value ?? '')) paths.add(path);
    }
  }
  const realpaths: Record<string, string> = {};
  for (const path of paths) {
    const real = files.realpath(path);
    if (real !== path) realpaths[path] = real;
  }
  return { processes, fpm, sites, webServers: servers, cron, supervisors, realpaths, notes };
}

export { HostFiles };
