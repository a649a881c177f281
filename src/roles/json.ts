import { formatOctal } from '../mode/bits.js';
import type { Role } from './role.js';
import type { ValueSource } from '../discover/source.js';

/** A role as every JSON output shows it: the audit header, `roles --json` and `access --json`. */
export interface RoleJson {
  name: string;
  user: string;
  uid: number;
  gid: number;
  /** The group set by name, primary group first. */
  groups: string[];
  /** Octal, four digits: "0022". */
  umask: string;
  umaskOrigin: string;
  /** Where the binding came from: "--web-user", "roles.web in ...", "default: ...". */
  origin: string;
  /** Where the user, the groups and the umask came from, most trusted first. */
  sources: ValueSource[];
}

export function roleJson(role: Role): RoleJson {
  return {
    name: role.name,
    user: role.user,
    uid: role.uid,
    gid: role.gid,
    groups: role.groups,
    umask: formatOctal(role.umask),
    umaskOrigin: role.umaskOrigin,
    origin: role.origin,
    sources: role.sources,
  };
}

/** The roles keyed by name, in their order (JSON objects keep it). */
export function rolesByName(roles: readonly Role[]): Record<string, RoleJson> {
  return Object.fromEntries(roles.map((role) => [role.name, roleJson(role)]));
}
