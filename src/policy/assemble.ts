import { ConfigError } from '../errors.js';
import type { UserDatabase } from '../users/database.js';
import type { PolicyRule } from './compile.js';
import { pathCreation } from './creation.js';
import { checkGlob } from './glob.js';
import type { Preset } from './presets/preset.js';
import type { AccessLevel, Config, PathRuleConfig } from './schema.js';

export interface PolicyInputs {
  config: Config;
  configFile: string | undefined;
  preset: Preset | undefined;
  /** Subject names in index order: the roles, then 'others'. */
  subjects: readonly string[];
  /** Roles as `owner`/`group` may name them: the role's user and primary group. */
  roles: readonly { name: string; uid: number; user: string; gid: number }[];
  db: UserDatabase;
  /** --ignore globs */
  extraIgnore: readonly string[];
}

export interface AssembledPolicy {
  rules: PolicyRule[];
  ignore: string[];
}

/** The preset's entries first, then the config's: later entries override earlier ones. */
export function assemblePolicy(inputs: PolicyInputs): AssembledPolicy {
  const fromPreset = (inputs.preset?.paths ?? []).map((rule) => toPolicyRule(rule, undefined, inputs));
  const fromConfig = (inputs.config.paths ?? []).map((rule, index) => toPolicyRule(rule, `paths[${index}]`, inputs));
  const ignore = [...(inputs.preset?.ignore ?? []), ...(inputs.config.ignore ?? []), ...inputs.extraIgnore].map(normalizeGlob);
  return { rules: [...fromPreset, ...fromConfig], ignore };
}

function normalizeGlob(glob: string): string {
  const checked = checkGlob(glob);
  // Config globs were validated by the schema and flags by the command; this is a bug guard.
  if (!checked.ok) throw new Error(`unvalidated glob ${glob}: ${checked.reason}`);
  return checked.pattern;
}

function toPolicyRule(rule: PathRuleConfig, where: string | undefined, inputs: PolicyInputs): PolicyRule {
  const levels: (AccessLevel | undefined)[] = inputs.subjects.map((name) => rule.access?.[name]);
  const fail = (key: string, message: string) => new ConfigError(`${inputs.configFile ?? 'config'}: ${where}.${key}: ${message}`);
  return {
    match: (Array.isArray(rule.match) ? rule.match : [rule.match]).map(normalizeGlob),
    levels,
    secret: rule.secret,
    owner: rule.owner === undefined ? undefined : resolveOwner(rule.owner, inputs, (m) => fail('owner', m)),
    group: rule.group === undefined ? undefined : resolveGroup(rule.group, inputs, (m) => fail('group', m)),
    create: pathCreation(rule),
  };
}

/** A role name (its user), a user name, or a uid. */
function resolveOwner(value: string | number, inputs: PolicyInputs, fail: (message: string) => Error): { uid: number; label: string } {
  if (typeof value === 'number' || /^\d+$/.test(value)) return { uid: Number(value), label: inputs.db.user(Number(value)) };
  const role = inputs.roles.find((r) => r.name === value);
  if (role) return { uid: role.uid, label: role.user };
  const user = inputs.db.userByName(value);
  if (!user) throw fail(`'${value}' is neither a role nor a user in ${inputs.db.source}`);
  return { uid: user.uid, label: user.name };
}

/** A role name (its primary group), a group name, or a gid. */
function resolveGroup(value: string | number, inputs: PolicyInputs, fail: (message: string) => Error): { gid: number; label: string } {
  if (typeof value === 'number' || /^\d+$/.test(value)) return { gid: Number(value), label: inputs.db.group(Number(value)) };
  const role = inputs.roles.find((r) => r.name === value);
  if (role) return { gid: role.gid, label: inputs.db.group(role.gid) };
  const group = inputs.db.groupByName(value);
  if (!group) throw fail(`'${value}' is neither a role nor a group in ${inputs.db.source}`);
  return { gid: group.gid, label: group.name };
}
