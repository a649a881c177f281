import { ConfigError, UsageError } from '../errors.js';
import type { DiscoveredRole, Discovery } from '../discover/discovery.js';
import { roleCreation } from '../policy/creation.js';
import type { Config, RoleConfig } from '../policy/schema.js';
import type { UserDatabase } from '../users/database.js';
import { bindingFromHost, findGroup, findUser, isUid, type Binding } from './binding.js';
import type { DefaultUmask } from './precedence.js';
import { configSource, roleUmask } from './role-umask.js';
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
  /** The umask of roles that do not set one (--umask, config "umask", magento_umask, or 0022), and its rank. */
  defaultUmask: DefaultUmask;
  /** What the host runs (php-fpm pools, cron jobs, supervisor programs); undefined with --no-discover. */
  discovered?: Discovery | undefined;
}

export interface RoleSet {
  roles: Role[];
  /** The host's notes and contradictions between it and the flags or config. */
  notes: string[];
}

/**
 * Bind every role to a real user, its group set and umask. For each value: a flag, then the
 * config, then what the host runs (a running process, then config files), then the defaults
 * (web: the first web server user that exists; cli: the owner of the audited directory; cron:
 * the same user as cli; umask: 0022). A framework's umask (Magento's) outranks the host's.
 */
export function resolveRoleSet(inputs: RoleInputs, db: UserDatabase): RoleSet {
  const notes = [...(inputs.discovered?.notes ?? [])];
  const configured = inputs.config.roles ?? {};
  const host = new Map((inputs.discovered?.roles ?? []).map((role) => [role.name, role]));
  const names = [...new Set(['web', 'cli', 'cron', ...Object.keys(configured)])];
  const roles: Role[] = [];
  for (const name of names) {
    const binding = bindingFor(name, inputs, db, roles, host.get(name), notes);
    roles.push(resolveRole(name, binding, configured[name], inputs, db, host.get(name), notes));
  }
  for (const found of host.values()) {
    if (names.includes(found.name)) continue;
    const binding = bindingFromHost(found, db, notes);
    if (!binding) continue;
    const twin = roles.find((role) => role.uid === binding.uid && !['web', 'cli', 'cron'].includes(role.name));
    if (twin) {
      notes.push(`${found.sources[0]?.text ?? found.name} runs as ${twin.user}, like role ${twin.name}: not added as a role of its own`);
      continue;
    }
    roles.push(resolveRole(found.name, binding, undefined, inputs, db, found, notes));
  }
  return { roles: orderRoles(roles), notes };
}

export function resolveRoles(inputs: RoleInputs, db: UserDatabase): Role[] {
  return resolveRoleSet(inputs, db).roles;
}

function bindingFor(
  name: string,
  inputs: RoleInputs,
  db: UserDatabase,
  resolved: Role[],
  found: DiscoveredRole | undefined,
  notes: string[],
): Binding {
  const flag = inputs.flags[name as 'web' | 'cli' | 'cron'];
  const role = inputs.config.roles?.[name];
  const fromHost = found && bindingFromHost(found, db, notes);
  if (flag !== undefined || role) {
    const binding: Binding =
      flag !== undefined
        ? {
            user: flag,
            origin: `--${name}-user`,
            where: `--${name}-user '${flag}'`,
            fromConfig: false,
            sources: [{ field: 'user', kind: 'flag', text: `--${name}-user` }],
          }
        : {
            user: role!.user,
            groups: role!.groups,
            origin: `roles.${name} in ${inputs.configFile ?? 'the config'}`,
            where: `${inputs.configFile ?? 'config'}: roles.${name}`,
            fromConfig: true,
            sources: [
              configSource('user', `roles.${name}.user`, inputs.configFile),
              ...(role!.groups ? [configSource('groups', `roles.${name}.groups`, inputs.configFile)] : []),
            ],
          };
    const bound = findUser(binding.user, db);
    if (fromHost && bound && bound.uid !== fromHost.uid) {
      notes.push(`${binding.origin} names ${bound.name}, but ${found!.sources[0]!.text} runs as ${db.user(fromHost.uid)}`);
    }
    return binding;
  }
  if (fromHost) return fromHost;
  if (name === 'web') {
    const candidate = WEB_USER_CANDIDATES.find((c) => db.userByName(c));
    if (!candidate) {
      throw new UsageError(
        `no web user: none of ${WEB_USER_CANDIDATES.join(', ')} exists in ${db.source}; name it with --web-user or roles.web.user in permcheck.config.json`,
      );
    }
    const origin = `default: first of ${WEB_USER_CANDIDATES.join(', ')} that exists`;
    return {
      user: candidate,
      origin,
      where: 'the default web user',
      fromConfig: false,
      sources: [{ field: 'user', kind: 'default', text: origin }],
    };
  }
  if (name === 'cli') {
    const origin = `default: owner of ${inputs.project.path}`;
    return {
      user: inputs.project.uid,
      origin,
      where: `the owner of ${inputs.project.path}`,
      fromConfig: false,
      sources: [{ field: 'user', kind: 'default', text: origin }],
    };
  }
  // cron runs the application's jobs as the CLI user unless told otherwise.
  const cli = resolved.find((r) => r.name === 'cli')!;
  const origin = 'default: same user as cli';
  return {
    user: cli.uid,
    gid: cli.gid,
    gids: cli.gids,
    origin,
    where: 'the default cron user',
    fromConfig: false,
    sources: [{ field: 'user', kind: 'default', text: origin }, ...cli.sources.filter((s) => s.field === 'groups')],
  };
}

function resolveRole(
  name: string,
  binding: Binding,
  config: RoleConfig | undefined,
  inputs: RoleInputs,
  db: UserDatabase,
  found: DiscoveredRole | undefined,
  notes: string[],
): Role {
  const fail = (key: string, message: string) =>
    binding.fromConfig
      ? new ConfigError(`${binding.where}.${key}: ${message}`)
      : new UsageError(`role ${name}: ${binding.where}: ${message}`);
  const record = findUser(binding.user, db);
  if (!record && !isUid(binding.user)) throw fail('user', `user '${binding.user}' not found in ${db.source}`);
  const listed = binding.groups?.map((group, index) => {
    const gid = findGroup(group, db);
    if (gid === undefined) throw fail(`groups[${index}]`, `group '${group}' not found in ${db.source}`);
    return gid;
  });
  const known = listed ?? binding.gids;
  // A uid the database does not know (a container's numeric user) is fine once its groups are given.
  if (!record && !(known && known.length > 0)) {
    throw fail('user', `uid ${binding.user} is not in ${db.source}; give its groups (roles.${name}.groups) or name an existing user`);
  }
  const uid = record ? record.uid : Number(binding.user);
  const gids = [...new Set(known ?? db.groupsOf(record!))];
  const gid = listed ? (record?.gid ?? gids[0]!) : (binding.gid ?? record?.gid ?? gids[0]!);
  const user = record ? record.name : String(uid);
  const groupSources = binding.sources.filter((s) => s.field === 'groups');
  const umask = roleUmask(name, config, inputs, found, notes);
  return {
    name,
    uid,
    gid,
    gids,
    user,
    groups: gids.map((g) => db.group(g)),
    origin: binding.origin,
    umask: umask.value,
    umaskOrigin: umask.origin,
    sources: [
      ...binding.sources.filter((s) => s.field === 'user'),
      ...(groupSources.length > 0
        ? groupSources
        : [{ field: 'groups' as const, kind: 'user-database' as const, text: `groups of ${user} in ${db.source}` }]),
      ...umask.sources,
    ],
    create: roleCreation(config?.create),
  };
}
