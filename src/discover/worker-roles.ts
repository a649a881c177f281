import { formatOctal } from '../mode/bits.js';
import type { ValueSource } from './source.js';
import { touchesApplication } from './cron-roles.js';
import { fileSource, processGids, processSource, unitSource, type Application, type DiscoveredRole } from './discovery.js';
import type { HostFacts, ProcessFacts, SupervisorFacts } from './facts.js';
import { isInside, roleNameFrom } from './paths.js';
import type { SupervisorProgram } from './supervisor-config.js';

/** What the names of roles that are not workers already take. */
export const RESERVED_ROLE_NAMES = ['web', 'cli', 'cron', 'others'];

/**
 * Supervisor programs whose command or directory is in the application (queue consumers,
 * Horizon, Messenger): each becomes a role named after the program, or `queue` for several
 * programs that run as the same user under the same umask.
 */
export function workerRoles(facts: HostFacts, app: Application, notes: string[], taken: readonly string[]): DiscoveredRole[] {
  const groups = new Map<string, { programs: string[]; role: DiscoveredRole }>();
  for (const supervisor of facts.supervisors) {
    for (const program of supervisor.programs) {
      const inApp =
        (program.directory &&
          [program.directory.value, facts.realpaths[program.directory.value] ?? ''].some(
            (d) => isInside(d, app.path) || isInside(d, app.real),
          )) ||
        (program.command && touchesApplication(program.command.value, app, facts.realpaths));
      if (!inApp) continue;
      if (program.unexpanded.length > 0) {
        notes.push(
          `supervisor program ${program.name} (${program.file}:${program.line}) uses ${program.unexpanded.map((n) => `%(${n})s`).join(', ')}, which permcheck could not fill in${supervisor.process ? '' : ' (supervisord is not running)'}`,
        );
      }
      const role = programRole(program, supervisor, facts.processes);
      const key = `${role.user}|${role.umask ?? ''}`;
      const group = groups.get(key);
      if (group) {
        group.programs.push(program.name);
        group.role.sources.push(...role.sources);
      } else groups.set(key, { programs: [program.name], role });
    }
  }
  const names = new Set(taken);
  return [...groups.values()].map(({ programs, role }) => {
    let name = programs.length === 1 ? roleNameFrom(programs[0]!) : 'queue';
    if (names.has(name)) name = `${name}-worker`;
    for (let n = 2; names.has(name); n++) name = `${name.replace(/-\d+$/, '')}-${n}`;
    names.add(name);
    return { ...role, name };
  });
}

function programRole(program: SupervisorProgram, supervisor: SupervisorFacts, processes: readonly ProcessFacts[]): DiscoveredRole {
  const label = `supervisor program ${program.name}`;
  const daemon = supervisor.process;
  const child = daemon ? processes.find((p) => p.ppid === daemon.pid && p.state !== 'Z' && runs(p, program)) : undefined;
  const sources: ValueSource[] = [];
  const role: DiscoveredRole = { name: '', user: 0, sources };
  const at = { program: program.name };
  if (child) {
    role.user = child.uid;
    role.group = child.gid;
    role.gids = processGids(child);
    sources.push(processSource('user', label, child, at));
    if (program.user) {
      const declared = fileSource('user', 'supervisor', `user=${program.user.value} in ${label}`, program.user, at);
      role.declaredUser = { user: program.user.value, source: declared };
      sources.push(declared);
    }
    sources.push(processSource('groups', label, child, at));
  } else if (program.user) {
    role.user = program.user.value;
    sources.push(fileSource('user', 'supervisor', `user=${program.user.value} in ${label}`, program.user, at));
  } else if (daemon) {
    role.user = daemon.uid;
    sources.push(processSource('user', `${label} has no user=: supervisord's user`, daemon, at));
  } else if (supervisor.user) {
    role.user = supervisor.user.value;
    sources.push(
      fileSource('user', 'supervisor', `${label} has no user=: supervisord's user=${supervisor.user.value}`, supervisor.user, at),
    );
  } else {
    role.user = 0;
    sources.push(fileSource('user', 'supervisor', `${label} has no user=: supervisord runs as root`, program, at));
  }
  if (child?.umask !== undefined) {
    role.umask = child.umask;
    sources.push(processSource('umask', label, child, at));
  } else if (program.umask) {
    role.umask = program.umask.value;
    sources.push(fileSource('umask', 'supervisor', `umask=${formatOctal(program.umask.value)} in ${label}`, program.umask, at));
  } else if (daemon?.umask !== undefined) {
    // Without umask=, a program inherits supervisord's.
    role.umask = daemon.umask;
    sources.push(processSource('umask', `${label} has no umask=: supervisord's`, daemon, at));
  } else if (supervisor.unitUmask) {
    role.umask = supervisor.unitUmask.umask;
    sources.push(unitSource(supervisor.unitUmask));
  }
  return role;
}

/** supervisord tells each child who it is in its environment; without it, compare the command line. */
function runs(process: ProcessFacts, program: SupervisorProgram): boolean {
  const env = process.environ;
  if (env?.SUPERVISOR_PROCESS_NAME !== undefined) {
    return (
      env.SUPERVISOR_GROUP_NAME === program.name ||
      env.SUPERVISOR_PROCESS_NAME === program.name ||
      env.SUPERVISOR_PROCESS_NAME.startsWith(`${program.name}_`)
    );
  }
  const command = program.command?.value.trim().split(/\s+/).join(' ');
  return command !== undefined && process.argv.join(' ') === command;
}
