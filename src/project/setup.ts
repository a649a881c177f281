import { statSync } from 'node:fs';
import { findConfigFile, loadConfig, type LoadedConfig } from '../policy/load.js';
import { discoverRoles } from '../discover/discover.js';
import { discoveryOffReason, type DefaultUmask } from '../roles/precedence.js';
import { resolveRoleSet, type RoleSet } from '../roles/resolve.js';
import type { Role } from '../roles/role.js';
import type { UserDatabase } from '../users/database.js';
import { loadUserDatabase } from '../users/load.js';

/** What binds roles to users: the --config, --X-user, --passwd and --group flags. */
export interface RoleOptions {
  config?: string;
  webUser?: string;
  cliUser?: string;
  cronUser?: string;
  passwd?: string;
  group?: string;
  /** false: bind roles without looking at what this host runs (--no-discover; audits of archives and images). */
  discover?: boolean;
}

export interface ProjectSetup extends LoadedConfig {
  db: UserDatabase;
}

/**
 * Config and user database for a project directory. `walkUp` looks for the config in the
 * directory's ancestors too (access), where audit only looks in the audited directory itself.
 */
export function loadProject(options: RoleOptions, project: string, walkUp: boolean): ProjectSetup {
  const loaded = loadConfig(options.config ?? findConfigFile(project, walkUp));
  return { ...loaded, db: loadUserDatabase({ passwd: options.passwd, group: options.group }) };
}

/** Roles bound to users, from the flags, the config, what the host runs and the defaults. */
export function bindRoles(setup: ProjectSetup, options: RoleOptions, project: string, defaultUmask?: DefaultUmask): Role[] {
  return bindRoleSet(setup, options, project, defaultUmask).roles;
}

/** bindRoles, with the notes on what the host runs and where it contradicts the flags or config. */
export function bindRoleSet(
  setup: ProjectSetup,
  options: RoleOptions,
  project: string,
  defaultUmask: DefaultUmask = { value: 0o022, origin: 'default 0022', kind: 'default' },
): RoleSet {
  return resolveRoleSet(
    {
      config: setup.config,
      configFile: setup.file,
      flags: { web: options.webUser, cli: options.cliUser, cron: options.cronUser },
      project: { path: project, uid: statSync(project).uid },
      defaultUmask,
      discovered: discoveryOffReason(options) === undefined ? discoverRoles(project) : undefined,
    },
    setup.db,
  );
}
