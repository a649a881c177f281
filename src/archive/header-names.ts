import { UserDatabase } from '../users/database.js';
import type { GroupRecord, UserRecord } from '../users/records.js';
import { DEAD, type ArchiveTree } from './tree.js';

/**
 * The users and groups an archive's headers name (uname/gname beside uid/gid), as a user
 * database: what names the owners when no --passwd/--group of the target host is given. Headers
 * say nothing of group membership: a user's primary group is the group of its own name, else the
 * group most of its entries have; it is in no other group.
 */
export function headerNames(tree: ArchiveTree): UserDatabase {
  const groups: GroupRecord[] = [...tree.groups].map(([gid, name]) => ({ name, gid, members: [] }));
  const byName = new Map(groups.map((group) => [group.name, group.gid]));
  const users: UserRecord[] = [...tree.users].map(([uid, name]) => ({ name, uid, gid: byName.get(name) ?? usualGroup(tree, uid) }));
  return new UserDatabase(users, groups, `the owner names in the headers of ${tree.label}`);
}

/** The gid most of a uid's entries have. */
function usualGroup(tree: ArchiveTree, uid: number): number {
  const counts = new Map<number, number>();
  for (let id = 0; id < tree.count; id++)
    if (tree.uid[id] === uid && !(tree.flags[id]! & DEAD)) counts.set(tree.gid[id]!, (counts.get(tree.gid[id]!) ?? 0) + 1);
  let best = uid;
  let most = 0;
  for (const [gid, count] of counts) {
    if (count > most) {
      best = gid;
      most = count;
    }
  }
  return best;
}
