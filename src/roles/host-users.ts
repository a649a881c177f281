import type { Discovery } from '../discover/discovery.js';
import { formatOctal } from '../mode/bits.js';
import type { UserDatabase } from '../users/database.js';
import { bindingFromHost } from './binding.js';

/** A role the host runs, by user name, with what showed it: for `init` to write down. */
export interface HostRoleUser {
  name: string;
  user: string;
  /** "php-fpm pool www, pid 812; umask 0027" */
  found: string;
}

export function hostRoleUsers(discovery: Discovery, db: UserDatabase): HostRoleUser[] {
  const notes: string[] = [];
  return discovery.roles.flatMap((role) => {
    const binding = bindingFromHost(role, db, notes);
    if (!binding) return [];
    const umask = role.umask === undefined ? '' : `; umask ${formatOctal(role.umask)}`;
    return [{ name: role.name, user: db.user(binding.uid), found: `${binding.origin}${umask}` }];
  });
}
