import { ConfigError, UsageError } from '../errors.js';
import { REQUESTED_DIRECTORY, REQUESTED_FILE } from '../mode/creation.js';
import { parseUmask } from '../mode/umask.js';
import type { Config, RoleConfig } from '../policy/schema.js';
import type { UserDatabase } from '../users/database.js';
import type { UserRecord } from '../users/records.js';
import { orderRoles, type Role } from './role.js';

/** The web server / PHP-FPM users of common distributions, in the order permcheck tries them. */
export const WEB_USER_CANDIDATES = ['www-data', 'nginx', 'apache', 'httpd', 'http', '_www', 'wwwrun'];

export interface RoleInputs {
  config: Config;
  configFile: string | undefined;
  /** --web-user, --cli-user, --cron-user */
  flags: { web?: string | undefined; cli?: string | undefined; cron?: string | undefined };
  /** The audited directory and its owner: the default CLI user. */
  project: { path: string; uid: number };
  /** The umask of roles that do not set one (config "umask", magento_umask, or 0022). */
  defaultUmask: { value: number; origin: string };
}

interface Binding {
  user: string | number;
  groups?: readonly (string | number)[] | undefined;
  origin: string;
  /** How to point at it in an error: "--web-user" or "permcheck.config.json: roles.web". */
  where: string;
  fromConfig: boolean;
}

/**
 * Bind every role to a real user and its group set. Precedence: a --X-user flag, then the
 * config's roles.X, then the defaults (web: the first web server user that exists; cli: the owner
 * of the audited directory; cron: the same user as cli).
 */
export function resolveRoles(inputs: RoleInputs, db: UserDatabase): Role[] {
  const configured = inputs.config.roles ?? {};
  const names = [...new Set(['web', 'cli', 'cron', ...Object.keys(configured)])];
  const roles: Role[] = [];
  for (const name of names) {
    const binding = bindingFor(name, inputs, db, roles);
    roles.push(resolveRole(name, binding, configured[name], inputs, db));
  }
  return orderRoles(roles);
}

function bindingFor(name: string, inputs: RoleInputs, db: UserDatabase, resolved: Role[]): Binding {
  const flag = inputs.flags[name as 'web' | 'cli' | 'cron'];
  if (flag !== undefined) return { user: flag, origin: `--${name}-user`, where: `--${name}-user '${flag}'`, fromConfig: false };
  const role = inputs.config.roles?.[name];
  if (role) {
    const where = `${inputs.configFile ?? 'config'}: roles.${name}`;
    return {
      user: role.user,
      groups: role.groups,
      origin: `roles.${name} in ${inputs.configFile ?? 'the config'}`,
      where,
      fromConfig: true,
    };
  }
  if (name === 'web') {
    const found = WEB_USER_CANDIDATES.find((candidate) => db.userByName(candidate));
    if (!found) {
      throw new UsageError(
        `no web user: none of ${WEB_USER_CANDIDATES.join(', ')} exists in ${db.source}; name it with --web-user or roles.web.user in permcheck.config.json`,
      );
    }
    return {
      user: found,
      origin: `default: first of ${WEB_USER_CANDIDATES.join(', ')} that exists`,
      where: 'the default web user',
      fromConfig: false,
    };
  }
  if (name === 'cli') {
    return {
      user: inputs.project.uid,
      origin: `default: owner of ${inputs.project.path}`,
      where: `the owner of ${inputs.project.path}`,
      fromConfig: false,
    };
  }
  // cron runs the application's jobs as the CLI user unless told otherwise.
  const cli = resolved.find((role) => role.name === 'cli')!;
  return { user: cli.uid, groups: cli.gids, origin: 'default: same user as cli', where: 'the default cron user', fromConfig: false };
}

function resolveRole(name: string, binding: Binding, config: RoleConfig | undefined, inputs: RoleInputs, db: UserDatabase): Role {
  const fail = (key: string, message: string) =>
    binding.fromConfig
      ? new ConfigError(`${binding.where}.${key}: ${message}`)
      : new UsageError(`role ${name}: ${binding.where}: ${message}`);
  const record = findUser(binding.user, db);
  if (!record && !isUid(binding.user)) throw fail('user', `user '${binding.user}' not found in ${db.source}`);
  const listed = binding.groups?.map((group, index) => {
    const found = findGroup(group, db);
    if (found === undefined) throw fail(`groups[${index}]`, `group '${group}' not found in ${db.source}`);
    return found;
  });
  // A uid the database does not know (a container's numeric user) is fine once its groups are given.
  if (!record && !(listed && listed.length > 0)) {
    throw fail('user', `uid ${binding.user} is not in ${db.source}; give its groups (roles.${name}.groups) or name an existing user`);
  }
  const uid = record ? record.uid : Number(binding.user);
  const gids = [...new Set(listed ?? db.groupsOf(record!))];
  const gid = record ? record.gid : gids[0]!;
  const umask = roleUmask(config, inputs);
  return {
    name,
    uid,
    gid,
    gids,
    user: record ? record.name : String(uid),
    groups: gids.map((g) => db.group(g)),
    origin: binding.origin,
    umask: umask.value,
    umaskOrigin: umask.origin,
    create: {
      file: config?.create?.file !== undefined ? parseOctal(config.create.file) : REQUESTED_FILE,
      directory: config?.create?.dir !== undefined ? parseOctal(config.create.dir) : REQUESTED_DIRECTORY,
    },
  };
}

function roleUmask(config: RoleConfig | undefined, inputs: RoleInputs): { value: number; origin: string } {
  if (config?.umask !== undefined) {
    const parsed = parseUmask(config.umask);
    // The schema already validated it; a failure here would be a bug.
    if (!parsed.ok) throw new Error(`unvalidated umask ${config.umask}`);
    return { value: parsed.umask, origin: 'its umask in the config' };
  }
  return inputs.defaultUmask;
}

function isUid(user: string | number): user is number | `${number}` {
  return typeof user === 'number' || /^\d+$/.test(user);
}

function findUser(user: string | number, db: UserDatabase): UserRecord | undefined {
  return typeof user === 'number' || isUid(user) ? db.userByUid(Number(user)) : db.userByName(user);
}

function findGroup(group: string | number, db: UserDatabase): number | undefined {
  if (typeof group === 'number' || /^\d+$/.test(group)) return Number(group);
  return db.groupByName(group)?.gid;
}

function parseOctal(text: string): number {
  return Number.parseInt(text.replace(/^0o/i, ''), 8);
}
