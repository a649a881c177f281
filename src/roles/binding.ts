import type { DiscoveredRole } from '../discover/discovery.js';
import type { UserDatabase } from '../users/database.js';
import type { UserRecord } from '../users/records.js';
import type { ValueSource } from '../discover/source.js';

/** A role's user before it is looked up, with where it came from. */
export interface Binding {
  user: string | number;
  /** Groups as the config lists them (names or gids). */
  groups?: readonly (string | number)[] | undefined;
  /** The primary gid and group set where a source gives them (a running process, initgroups). */
  gid?: number | undefined;
  gids?: readonly number[] | undefined;
  origin: string;
  /** How to point at it in an error: "--web-user" or "permcheck.config.json: roles.web". */
  where: string;
  fromConfig: boolean;
  /** Where the user and groups came from. */
  sources: ValueSource[];
}

/**
 * A role the host runs, bound to the user database: a process's uid and real groups, or a config
 * file's user with the groups it will get. undefined (and a note) when the user is unknown here.
 */
export function bindingFromHost(found: DiscoveredRole, db: UserDatabase, notes: string[]): (Binding & { uid: number }) | undefined {
  const origin = found.sources.find((s) => s.field === 'user')?.text ?? `the host's ${found.name}`;
  const record = findUser(found.user, db);
  if (!record && !(isUid(found.user) && found.gids && found.gids.length > 0)) {
    notes.push(`${origin}: user ${found.user} is not in ${db.source}; role ${found.name} keeps its default`);
    return undefined;
  }
  if (
    record &&
    found.declaredUser &&
    found.declaredUser.user !== record.name &&
    findUser(found.declaredUser.user, db)?.uid !== record.uid
  ) {
    notes.push(
      `${found.declaredUser.source.text} says ${found.declaredUser.user}, but ${origin} runs as ${record.name}: was it changed without a restart?`,
    );
  }
  const uid = record ? record.uid : Number(found.user);
  const sources = found.sources.filter((s) => s.field !== 'umask');
  const binding = { user: uid, origin, where: origin, fromConfig: false, sources, uid };
  if (found.gids && found.gids.length > 0) {
    const gid = typeof found.group === 'number' ? found.group : found.gids[0]!;
    return { ...binding, gid, gids: [gid, ...found.gids.filter((g) => g !== gid)] };
  }
  if (!record) return undefined;
  if (found.group !== undefined || found.initgroups) {
    const named = found.group === undefined ? record.gid : findGroup(found.group, db);
    if (named === undefined) notes.push(`${origin}: group ${found.group} is not in ${db.source}; using ${record.name}'s primary group`);
    const gid = named ?? record.gid;
    return { ...binding, gid, gids: [gid, ...memberships(record, db).filter((g) => g !== gid)] };
  }
  return binding;
}

/**
 * The groups that list the user as a member: what initgroups(user, gid) adds to gid. The user's
 * own primary group is not among them unless a group file lists it.
 */
function memberships(user: UserRecord, db: UserDatabase): number[] {
  return db
    .records()
    .groups.filter((group) => group.members.includes(user.name))
    .map((group) => group.gid)
    .sort((a, b) => a - b);
}

export function isUid(user: string | number): user is number | `${number}` {
  return typeof user === 'number' || /^\d+$/.test(user);
}

export function findUser(user: string | number, db: UserDatabase): UserRecord | undefined {
  return typeof user === 'number' || isUid(user) ? db.userByUid(Number(user)) : db.userByName(user);
}

export function findGroup(group: string | number, db: UserDatabase): number | undefined {
  if (typeof group === 'number' || /^\d+$/.test(group)) return Number(group);
  return db.groupByName(group)?.gid;
}
