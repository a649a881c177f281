import type { Names } from './names.js';
import type { GroupRecord, UserRecord } from './records.js';

/** Asks the system's name service (LDAP, sssd...) for what the files lack; see getent.ts. */
export interface NameService {
  user(nameOrUid: string): UserRecord | undefined;
  group(nameOrGid: string): GroupRecord | undefined;
  /** Every gid the user belongs to, as initgroups() would set them. */
  groupsOf(user: string): number[] | undefined;
}

/**
 * Users and groups: from parsed passwd and group files, falling back to the name service for
 * names the files lack. Lookups are cached, since a walk asks for the same owners again and again.
 */
export class UserDatabase implements Names {
  private readonly usersByName = new Map<string, UserRecord>();
  private readonly usersByUid = new Map<number, UserRecord>();
  private readonly groupsByName = new Map<string, GroupRecord>();
  private readonly groupsByGid = new Map<number, GroupRecord>();
  private readonly misses = new Set<string>();
  private readonly fromNameService = new Set<string>();

  constructor(
    users: readonly UserRecord[],
    private readonly groups: readonly GroupRecord[],
    /** Where the records came from, for error messages: "/etc/passwd and /etc/group". */
    readonly source: string,
    private readonly fallback?: NameService,
  ) {
    // The first entry wins, as with getpwnam() on a files database.
    for (const user of users) {
      if (!this.usersByName.has(user.name)) this.usersByName.set(user.name, user);
      if (!this.usersByUid.has(user.uid)) this.usersByUid.set(user.uid, user);
    }
    for (const group of groups) {
      if (!this.groupsByName.has(group.name)) this.groupsByName.set(group.name, group);
      if (!this.groupsByGid.has(group.gid)) this.groupsByGid.set(group.gid, group);
    }
  }

  userByName(name: string): UserRecord | undefined {
    return (
      this.usersByName.get(name) ??
      this.ask(
        `u:${name}`,
        () => this.fallback?.user(name),
        (u) => this.rememberUser(u),
      )
    );
  }

  userByUid(uid: number): UserRecord | undefined {
    return (
      this.usersByUid.get(uid) ??
      this.ask(
        `u#${uid}`,
        () => this.fallback?.user(String(uid)),
        (u) => this.rememberUser(u),
      )
    );
  }

  groupByName(name: string): GroupRecord | undefined {
    return (
      this.groupsByName.get(name) ??
      this.ask(
        `g:${name}`,
        () => this.fallback?.group(name),
        (g) => this.rememberGroup(g),
      )
    );
  }

  groupByGid(gid: number): GroupRecord | undefined {
    return (
      this.groupsByGid.get(gid) ??
      this.ask(
        `g#${gid}`,
        () => this.fallback?.group(String(gid)),
        (g) => this.rememberGroup(g),
      )
    );
  }

  /** The user's group set: its primary group and every group that lists it as a member. */
  groupsOf(user: UserRecord): number[] {
    const gids = new Set<number>([user.gid]);
    for (const group of this.groups) if (group.members.includes(user.name)) gids.add(group.gid);
    if (this.fromNameService.has(user.name)) {
      // A user only the name service knows: its groups may live there too.
      for (const gid of this.fallback?.groupsOf(user.name) ?? []) gids.add(gid);
    }
    // The primary group first, as id(1) prints it; the rest in numeric order.
    gids.delete(user.gid);
    return [user.gid, ...[...gids].sort((a, b) => a - b)];
  }

  /** Everything known, to rebuild the same database in a worker thread. */
  records(): { users: UserRecord[]; groups: GroupRecord[]; nameService: boolean } {
    return {
      users: [...new Set(this.usersByUid.values())],
      groups: [...new Set(this.groupsByGid.values())],
      nameService: this.fallback !== undefined,
    };
  }

  user(uid: number): string {
    return this.userByUid(uid)?.name ?? String(uid);
  }

  group(gid: number): string {
    return this.groupByGid(gid)?.name ?? String(gid);
  }

  private ask<T>(key: string, query: () => T | undefined, remember: (record: T) => void): T | undefined {
    if (this.misses.has(key)) return undefined;
    const found = query();
    if (found) remember(found);
    else this.misses.add(key);
    return found;
  }

  private rememberUser(user: UserRecord): void {
    this.fromNameService.add(user.name);
    if (!this.usersByName.has(user.name)) this.usersByName.set(user.name, user);
    if (!this.usersByUid.has(user.uid)) this.usersByUid.set(user.uid, user);
  }

  private rememberGroup(group: GroupRecord): void {
    if (!this.groupsByName.has(group.name)) this.groupsByName.set(group.name, group);
    if (!this.groupsByGid.has(group.gid)) this.groupsByGid.set(group.gid, group);
  }
}
