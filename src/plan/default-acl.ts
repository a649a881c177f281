import type { DefaultAcl, NamedEntry } from '../acl/types.js';
import type { Inode } from '../access/types.js';
import { EXECUTE, READ, WRITE } from '../mode/bits.js';
import type { AuditSettings } from '../rules/contract.js';
import type { EntryNeeds } from './needs.js';

/**
 * Where a directory already has a default ACL (the Symfony and Deployer recipe), what roles create in it
 * starts from that ACL, not from their umask: every role that uses the directory's new entries needs its
 * own entry there (rwx to write, r-x to read), or what another role creates shuts it out. Returns the
 * default ACL with the missing entries added, or undefined when nothing is missing. A directory without
 * one is left to the mode's plan and the umask advice: adding default ACLs is the user's choice.
 */
export function extendDefaultAcl(inode: Inode, needs: EntryNeeds, settings: AuditSettings): DefaultAcl | undefined {
  const start = inode.defaultAcl;
  if (!start || needs.creators.length === 0) return undefined;
  let users: NamedEntry[] = [...start.users];
  let changed = false;
  for (const { subject, writes } of needs.users) {
    const uid = settings.subjects[subject]!.principal.uid;
    if (uid <= 0) continue;
    const wanted = writes ? READ | WRITE | EXECUTE : READ | EXECUTE;
    const entry = users.find((e) => e.id === uid);
    if (entry && (entry.perm & wanted) === wanted) continue;
    users = [...users.filter((e) => e.id !== uid), { id: uid, perm: (entry?.perm ?? 0) | wanted }].sort((a, b) => a.id - b.id);
    changed = true;
  }
  if (!changed) return undefined;
  // The kernel wants a mask once there are named entries; setfacl makes it the union of the group class.
  const mask = [start.groupObj, ...users.map((e) => e.perm), ...start.groups.map((e) => e.perm)].reduce((a, b) => a | b, start.mask ?? 0);
  return { ...start, users, mask };
}
