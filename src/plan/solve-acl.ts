import { changeOf, type Change } from '../change/change.js';
import { permits } from '../access/permission.js';
import type { Inode, Principal } from '../access/types.js';
import type { AccessAcl, NamedEntry } from '../acl/types.js';
import { EXECUTE, READ, SETGID, SETUID, WRITE } from '../mode/bits.js';
import type { AuditSettings } from '../rules/contract.js';
import type { EntryNeeds, StrangerLimit } from './needs.js';

export type AclSolution = { kind: 'change'; change: Change | undefined } | { kind: 'infeasible'; reason: string };

/** Rounds of "a raised mask gave someone too much, so pin them with their own entry" before giving up. */
const ROUNDS = 4;

/**
 * The least change of an entry that has an access ACL (setfacl). Its owner and group stay; each role
 * that lacks what it needs, or has what it must not, gets its own named user entry (which decides for
 * that user before any group entry does, fs/posix_acl.c) or, for the owner and others, the mode's own
 * bits. Raising the mask to let an entry through may let a group entry through too: the roles that then
 * get too much are pinned by entries of their own in the next round.
 */
export function solveAcl(inode: Inode, needs: EntryNeeds, settings: AuditSettings): AclSolution {
  let planned: Inode = { ...inode, uid: needs.owner ?? inode.uid, gid: needs.group ?? inode.gid };
  planned = withOther(planned, (planned.mode & 7 & ~needs.otherForbidden) | 0);
  for (const limit of needs.strangers) planned = withoutStrangers(planned, limit);
  for (let round = 0; round < ROUNDS; round++) {
    let changed = false;
    for (const need of needs.subjects) {
      const subject = settings.subjects[need.subject]!;
      const who = subject.principal;
      if (who.uid === 0) continue;
      const have = bitsOf(planned, who);
      const missing = need.required & ~have;
      const excess = need.forbidden & have;
      if (!missing && !excess) continue;
      if (need.required & need.forbidden) return { kind: 'infeasible', reason: `${subject.name} must and must not have the same access` };
      if (who.uid === planned.uid) {
        if (!need.mayOwn) return { kind: 'infeasible', reason: `${subject.name} owns it, and an owner can always change its mode and ACL` };
        const owner = (((planned.mode >> 6) & 7) | need.required) & ~need.forbidden;
        planned = { ...planned, mode: (planned.mode & ~0o700) | (owner << 6) };
      } else if (who.uid < 0) {
        const other = ((planned.mode & 7) | need.required) & ~need.forbidden;
        if (other & needs.otherForbidden)
          return { kind: 'infeasible', reason: `${subject.name} would need bits that no user outside the ACL may have` };
        planned = withOther(planned, other);
      } else {
        planned = withUserEntry(planned, who.uid, (have | need.required) & ~need.forbidden & 7);
      }
      changed = true;
    }
    if (!changed) {
      const done = finish(planned, needs);
      return { kind: 'change', change: changeOf(inode, { uid: done.uid, gid: done.gid, mode: done.mode, acl: done.acl }) };
    }
  }
  return { kind: 'infeasible', reason: 'no set of ACL entries found that gives every role exactly what the policy says' };
}

/** The rwx bits one principal is granted, bit by bit, as the kernel decides each request. */
function bitsOf(inode: Inode, who: Principal): number {
  let bits = 0;
  for (const bit of [READ, WRITE, EXECUTE]) if (permits(inode, who, bit)) bits |= bit;
  return bits;
}

/**
 * Named entries for users and groups the limit does not except lose its forbidden bits (a secret's r
 * for those who do not read it; others' w for strangers). The entry stays, as --- if need be: removed,
 * its user would fall to the group or others class, which may still grant it.
 */
function withoutStrangers(inode: Inode, limit: StrangerLimit): Inode {
  const acl = inode.acl!;
  const strip = (entries: readonly NamedEntry[], allowed: ReadonlySet<number>) =>
    entries.map((entry) =>
      entry.perm & limit.forbidden && !allowed.has(entry.id) ? { id: entry.id, perm: entry.perm & ~limit.forbidden } : entry,
    );
  return { ...inode, acl: { ...acl, users: strip(acl.users, limit.uids), groups: strip(acl.groups, limit.gids) } };
}

function withOther(inode: Inode, other: number): Inode {
  return { ...inode, mode: (inode.mode & ~7) | other };
}

/** A named user entry with exactly `perm`, and a mask that lets it through (the mode's group bits follow the mask). */
function withUserEntry(inode: Inode, uid: number, perm: number): Inode {
  const acl = inode.acl!;
  const users: NamedEntry[] = [...acl.users.filter((entry) => entry.id !== uid), { id: uid, perm }].sort((a, b) => a.id - b.id);
  const mask = acl.mask | perm;
  const next: AccessAcl = { ...acl, users, mask };
  return { ...inode, acl: next, mode: (inode.mode & ~0o070) | (mask << 3) };
}

function finish(planned: Inode, needs: EntryNeeds): Inode {
  let mode = planned.mode;
  if (needs.stripSpecial) mode &= ~(SETUID | SETGID);
  return { ...planned, mode };
}
