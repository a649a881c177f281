import type { Principal } from '../access/types.js';
import type { RoleCreation } from '../predict/model.js';
import type { ValueSource } from '../discover/source.js';

/** A named Unix user that touches the application (web, cli, cron, queue...). */
export interface Role extends Principal {
  name: string;
  /** Primary gid: the group of what this role creates outside setgid directories. */
  gid: number;
  /** The user as found (name, or the uid when the database has none). */
  user: string;
  /** Names of gids, same order. */
  groups: string[];
  /** Where the binding came from, for the header: "--web-user", "roles.web in ...", "default: ...". */
  origin: string;
  umask: number;
  umaskOrigin: string;
  /** Where the user, the groups and the umask came from, most trusted first. */
  sources: ValueSource[];
  /** How this role's code creates (requests 0666 and 0777 under its umask unless configured). */
  create: RoleCreation;
}

export const DEFAULT_ROLE_ORDER = ['web', 'cli', 'cron'] as const;

/** web, cli, cron first, then custom roles in the order the config names them. */
export function orderRoles<T extends { name: string }>(roles: T[]): T[] {
  const rank = (name: string) => {
    const index = (DEFAULT_ROLE_ORDER as readonly string[]).indexOf(name);
    return index === -1 ? DEFAULT_ROLE_ORDER.length : index;
  };
  return roles
    .map((role, index) => ({ role, index }))
    .sort((a, b) => rank(a.role.name) - rank(b.role.name) || a.index - b.index)
    .map(({ role }) => role);
}
