import type { Inode, Principal } from '../access/types.js';
import { SETGID, STICKY } from '../mode/bits.js';
import { SHARED_GROUP_DIRECTORY_BITS } from '../mode/shared-group.js';
import { predictCreated, type Creator } from './created.js';
import { predictLoss } from './loss.js';
import { creationModel, type PathCreation } from './model.js';

/** One way to stop the loss, checked by predicting again with it applied. */
export type Remedy =
  | { kind: 'umask'; umask: number }
  | { kind: 'shared-group'; gid: number; umask: number | undefined }
  | { kind: 'acl' }
  | { kind: 'unsticky' }
  /** Files moved in keep the creator's primary group: a shared one as primary (PHP-FPM's pool group). */
  | { kind: 'primary-group'; gid: number }
  /** The code chmods to a fixed mode: no umask, group or ACL changes that; the mode in the code or its setting must. */
  | { kind: 'creation' };

export interface Pair {
  creator: Creator;
  /** The role that loses access. */
  user: Principal;
  writes: boolean;
  parent: Inode;
  /** What the policy says of creations in the parent. */
  path?: PathCreation | undefined;
}

/**
 * The least invasive remedy that actually works for this pair, or undefined when only a change of
 * design helps: first the creator's umask (open the group bits, so a role in the entries' group gets
 * them), then a shared group on the directory with setgid (with that umask if still needed), then
 * default ACLs. A sticky directory that keeps the role from deleting comes first, since no mode
 * of the new entries can change that.
 */
export function findRemedy(pair: Pair): Remedy[] {
  const steps: Remedy[] = [];
  let parent = pair.parent;
  const replace = pair.path?.replace ?? false;
  const lostWith = (creator: Creator, dir: Inode) =>
    predictLoss(predictCreated(creator, dir, pair.path), dir, pair.user, pair.writes, replace, pair.path?.directories !== false);
  if (parent.mode & STICKY && lostWith(pair.creator, parent) & 8 && pair.user.uid !== parent.uid) {
    parent = { ...parent, mode: parent.mode & ~STICKY };
    steps.push({ kind: 'unsticky' });
    if (lostWith(pair.creator, parent) === 0) return steps;
  }
  const groupOpen = pair.creator.umask & ~0o070;
  const widerUmask = { ...pair.creator, umask: groupOpen };
  if (groupOpen !== pair.creator.umask && lostWith(widerUmask, parent) === 0) return [...steps, { kind: 'umask', umask: groupOpen }];
  const shared = sharedGids(pair.creator, pair.user);
  for (const gid of shared) {
    // The shared-group recipe (mode/shared-group.ts), applied to the directory.
    const grouped: Inode = { ...parent, gid, mode: parent.mode | SHARED_GROUP_DIRECTORY_BITS };
    if (lostWith(pair.creator, grouped) === 0) return [...steps, { kind: 'shared-group', gid, umask: undefined }];
    if (groupOpen !== pair.creator.umask && lostWith(widerUmask, grouped) === 0)
      return [...steps, { kind: 'shared-group', gid, umask: groupOpen }];
  }
  const model = creationModel(pair.creator.create, pair.path, pair.creator.name);
  if (model.file.moved) {
    for (const gid of shared) {
      if (gid === pair.creator.gid) continue;
      const grouped: Inode = { ...parent, gid, mode: parent.mode | SETGID | 0o070 };
      if (lostWith({ ...pair.creator, gid }, grouped) === 0) return [...steps, { kind: 'primary-group', gid }];
    }
  }
  // A chmod after creating rewrites an ACL's mask as well: named entries lose what the group bits lack.
  const fixed = [model.file.chmod, model.directory.chmod].some((chmod) => chmod !== undefined && (chmod === 'inherit' || !chmod.lessUmask));
  return [...steps, fixed ? { kind: 'creation' } : { kind: 'acl' }];
}

/** Groups both the creator and the user are in, the creator's primary group first; never root's. */
function sharedGids(creator: Creator, user: Principal): number[] {
  return [...new Set([creator.gid, ...creator.gids])].filter((gid) => gid !== 0 && user.gids.includes(gid));
}
