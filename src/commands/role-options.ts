import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { findConfigFile, loadConfig, type LoadedConfig } from '../policy/load.js';
import { resolveRoles } from '../roles/resolve.js';
import type { Role } from '../roles/role.js';
import type { UserDatabase } from '../users/database.js';
import { loadUserDatabase } from '../users/load.js';

export interface RoleOptions {
  config?: string;
  webUser?: string;
  cliUser?: string;
  cronUser?: string;
  passwd?: string;
  group?: string;
}

/** The flags that bind roles to users, shared by `access` and `audit`. */
export function addRoleOptions(command: Command): Command {
  return command
    .option('--config <file>', 'permcheck.config.json to use (default: found in the project directory)')
    .option('--web-user <user>', 'user (name or uid) of the web server / PHP-FPM role')
    .option('--cli-user <user>', 'user of the deploy / CLI role (default: owner of the project directory)')
    .option('--cron-user <user>', 'user of the cron role (default: the CLI user)')
    .option('--passwd <file>', "read users from this file instead of /etc/passwd (another host's users)")
    .option('--group <file>', 'read groups from this file instead of /etc/group');
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

/** Roles bound to users, from the flags, the config and the defaults. */
export function bindRoles(setup: ProjectSetup, options: RoleOptions, project: string, defaultUmask = { value: 0o022, origin: 'default 0022' }): Role[] {
  return resolveRoles(
    {
      config: setup.config,
      configFile: setup.file,
      flags: { web: options.webUser, cli: options.cliUser, cron: options.cronUser },
      project: { path: project, uid: statSync(project).uid },
      defaultUmask,
    },
    setup.db,
  );
}
