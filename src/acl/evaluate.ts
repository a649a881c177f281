import type { AccessAcl, NamedEntry } from './types.js';

/** Which ACL entry decided a request (fs/posix_acl.c posix_acl_permission), for the explanation. */
export type AclDecider =
  | { kind: 'user'; entry: NamedEntry; mask: number }
  | { kind: 'group'; owning: boolean; entry: NamedEntry; mask: number }
  /** In some matching group entry, none of which grants the whole request: other is not consulted. */
  | { kind: 'groups-deny'; matched: { owning: boolean; entry: NamedEntry }[]; mask: number }
  | { kind: 'other'; perm: number };

export interface AclRequest {
  uid: number;
  gids: readonly number[];
  fileGid: number;
  /** The mode's other bits (the other:: entry). */
  other: number;
}

/**
 * The kernel's ACL walk for a non-owner (the owner never gets here: acl_permission_check uses the mode's
 * owner bits alone). A named user entry matching the uid decides with its perms AND the mask; else every
 * group entry matching the file's group or a supplementary group is considered: one that has every
 * wanted bit grants if the mask allows them too; if some matched and none had them, denied without
 * looking at other; then other.
 */
export function aclDecision(acl: AccessAcl, who: AclRequest, want: number): { allowed: boolean; decider: AclDecider } {
  const user = acl.users.find((entry) => entry.id === who.uid);
  if (user) return { allowed: (user.perm & acl.mask & want) === want, decider: { kind: 'user', entry: user, mask: acl.mask } };
  const matched: { owning: boolean; entry: NamedEntry }[] = [];
  if (who.gids.includes(who.fileGid)) matched.push({ owning: true, entry: { id: who.fileGid, perm: acl.groupObj } });
  for (const entry of acl.groups) if (who.gids.includes(entry.id)) matched.push({ owning: false, entry });
  const granting = matched.find((m) => (m.entry.perm & want) === want);
  if (granting) {
    return {
      allowed: (granting.entry.perm & acl.mask & want) === want,
      decider: { kind: 'group', owning: granting.owning, entry: granting.entry, mask: acl.mask },
    };
  }
  if (matched.length > 0) return { allowed: false, decider: { kind: 'groups-deny', matched, mask: acl.mask } };
  return { allowed: (who.other & want) === want, decider: { kind: 'other', perm: who.other } };
}
