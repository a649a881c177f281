import type { AccessAcl, DefaultAcl, NamedEntry } from './types.js';

/** Two access ACLs with the same entries (entries are kept in id order). */
export function sameAccessAcl(a: AccessAcl | undefined, b: AccessAcl | undefined): boolean {
  if (!a || !b) return a === b;
  return a.mask === b.mask && a.groupObj === b.groupObj && sameEntries(a.users, b.users) && sameEntries(a.groups, b.groups);
}

/** Two default ACLs with the same entries. */
export function sameDefaultAcl(a: DefaultAcl | undefined, b: DefaultAcl | undefined): boolean {
  if (!a || !b) return a === b;
  return (
    a.userObj === b.userObj &&
    a.groupObj === b.groupObj &&
    a.other === b.other &&
    a.mask === b.mask &&
    sameEntries(a.users, b.users) &&
    sameEntries(a.groups, b.groups)
  );
}

function sameEntries(x: readonly NamedEntry[], y: readonly NamedEntry[]): boolean {
  return x.length === y.length && x.every((entry, i) => entry.id === y[i]!.id && entry.perm === y[i]!.perm);
}
