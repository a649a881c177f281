import { lstatSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { discoverRoles, trustedCrontabUsers } from '../discover/discover.js';
import { ConfigError, UsageError } from '../errors.js';
import { parseUmask } from '../mode/umask.js';
import { printable } from '../text/printable.js';
import { chooseDefaultUmask, choosePreset, MAGENTO_UMASK_FILE, type PresetChoice } from '../policy/choose.js';
import type { LoadedConfig } from '../policy/load.js';
import { discoveryOffReason, type DefaultUmask } from '../roles/precedence.js';
import { resolveRoleSet, type RoleSet } from '../roles/resolve.js';
import type { Role } from '../roles/role.js';
import { trustFor, type Trust } from '../trust/trust.js';
import { readTrustedFile } from '../trust/trusted-file.js';
import type { UserDatabase } from '../users/database.js';
import { loadUserDatabase } from '../users/load.js';
import { auditConfig, nearestConfig, writersOf, type ConfigChoice } from './config-file.js';
import { detectFramework } from './framework.js';
import { lookUpProject } from './project-path.js';

/** What binds roles to users: the --config, --X-user, --passwd, --group and --trust flags. */
export interface RoleOptions {
  config?: string;
  webUser?: string;
  cliUser?: string;
  cronUser?: string;
  passwd?: string;
  group?: string;
  trust?: string[];
  /** false: bind roles without looking at what this host runs (--no-discover; audits of archives and images). */
  discover?: boolean;
}

export interface ProjectSetup extends LoadedConfig {
  db: UserDatabase;
  /** The users of this machine: who owns the files read here (with --passwd, db is another host's). */
  local: UserDatabase;
  trust: Trust;
  /** How the config was found, and what was passed over. */
  choice: ConfigChoice;
}

/** A config is a few KB; a planted giant or /dev/zero must not fill memory. */
const CONFIG_LIMIT = 1024 * 1024;

/**
 * Config and user database for a project directory. `walkUp` looks for the config in the directory's
 * ancestors too (access, explain --in), where audit only looks in the audited directory itself. Every
 * file is read only if it can be trusted (trust/trusted-file.ts).
 */
export async function loadProject(options: RoleOptions, project: string, walkUp: boolean): Promise<ProjectSetup> {
  const custom = options.passwd !== undefined || options.group !== undefined;
  const db = loadUserDatabase({ passwd: options.passwd, group: options.group });
  const local = custom ? loadUserDatabase({}) : db;
  const trust = trustFor(
    process.getuid?.() ?? -1,
    (options.trust ?? []).map((name) => trustedUser(name, local)),
  );
  // audit and roles take the application's root: one reached through someone else's symlink is refused.
  if (!walkUp) lookUpProject(project, trust, local);
  const choice = walkUp ? nearestConfig(project, options.config, trust, local) : auditConfig(project, options.config, trust, local);
  if (choice.file === undefined) return { config: {}, file: undefined, db, local, trust, choice };
  const text = readTrustedFile(choice.file, {
    what: 'config',
    trust,
    names: local,
    maxBytes: CONFIG_LIMIT,
    explicit: choice.explicit,
    anyway: `pass --config ${choice.file} to use it anyway`,
  });
  // Its parser (jsonc-parser, zod: a tenth of a second to load) only for a project that has a config.
  const { parseConfig } = await import('../policy/load.js');
  return { config: parseConfig(text, choice.file), file: choice.file, db, local, trust, choice };
}

function trustedUser(name: string, db: UserDatabase): { uid: number; name: string } {
  // A uid this machine has no name for (a container's user) is fine as a number.
  if (/^\d+$/.test(name)) return { uid: Number(name), name: db.userByUid(Number(name))?.name ?? name };
  const user = db.userByName(name);
  if (!user) throw new UsageError(`--trust '${name}' is not a user of this machine`);
  return { uid: user.uid, name: user.name };
}

/**
 * Magento's magento_umask at the root, read only if it can be trusted; undefined when there is none,
 * or when the config sets the umask (then the file decides nothing and is not read). Whoever may write
 * the root may rename a root-only file (.htpasswd, .env) to magento_umask, which root then reads: what
 * is not a umask is refused without quoting a byte of it.
 */
export function readMagentoUmask(root: string, setup: ProjectSetup): { text: string; file: string } | undefined {
  if (setup.config.umask !== undefined) return undefined;
  const file = join(root, MAGENTO_UMASK_FILE);
  try {
    lstatSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new UsageError(`cannot tell whether ${file} exists: ${code === 'EACCES' ? 'permission denied' : (error as Error).message}`);
  }
  const text = readTrustedFile(file, {
    what: MAGENTO_UMASK_FILE,
    trust: setup.trust,
    names: setup.local,
    maxBytes: 64,
    anyway: 'pass --umask with the umask Magento runs under instead',
  });
  // Only root (or the runner) could have put it in a root nobody else may write: then an excerpt in
  // the parse error helps and tells nobody anything new.
  if (!parseUmask(text.trim()).ok && (writersOf(root, setup.trust) ?? []).length > 0)
    throw new ConfigError(
      `${printable(file)} does not hold a umask (expected octal such as 002, as Magento writes it); its content is not shown, ` +
        `since others can write ${printable(root)} and could have renamed any file to it`,
    );
  return { text, file };
}

/** What audit, fix, `roles` and `explain --for` know of a project's roles. */
export interface ProjectRoles extends RoleSet {
  preset: PresetChoice;
  /** The umask of roles that do not set their own. */
  defaultUmask: DefaultUmask;
}

/**
 * The preset (--preset, config, detected), the umask of roles without their own (--umask, config,
 * magento_umask for Magento, preset, 0022), then the roles bound with that umask: one sequence, so
 * that every command binds the same roles from the same project.
 */
export function bindProjectRoles(
  setup: ProjectSetup,
  options: RoleOptions & { preset?: string | undefined; umask?: string | undefined },
  root: string,
): ProjectRoles {
  const preset = choosePreset(options.preset, setup.config, setup.file, () => detectFramework(root));
  const magento = options.umask === undefined && preset.preset?.name === 'magento2' ? readMagentoUmask(root, setup) : undefined;
  const defaultUmask = chooseDefaultUmask(options.umask, setup.config, setup.file, preset.preset, magento);
  return { ...bindRoleSet(setup, options, root, defaultUmask), preset, defaultUmask };
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
  const owner = statSync(project).uid;
  // Anyone may install a crontab naming the project: only users a trusted source names count.
  const crontabUsers = () =>
    trustedCrontabUsers(setup.db, {
      uids: [...setup.trust.uids, owner],
      users: [options.webUser, options.cliUser, options.cronUser, ...Object.values(setup.config.roles ?? {}).map((role) => role.user)],
    });
  return resolveRoleSet(
    {
      config: setup.config,
      configFile: setup.file,
      flags: { web: options.webUser, cli: options.cliUser, cron: options.cronUser },
      project: { path: project, uid: owner },
      defaultUmask,
      discovered: discoveryOffReason(options) === undefined ? discoverRoles(project, crontabUsers()) : undefined,
    },
    setup.db,
  );
}
