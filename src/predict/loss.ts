import { deleteDenial } from '../access/delete.js';
import { permits } from '../access/permission.js';
import { ROOT_UID, type Inode, type Principal } from '../access/types.js';
import { EXECUTE, READ, WRITE } from '../mode/bits.js';
import type { Created } from './created.js';

/** What a role may need to do with what another role creates. */
export const LOST_OPERATIONS = ['read', 'write', 'create-inside', 'delete'] as const;
export type LostOperation = (typeof LOST_OPERATIONS)[number];

export const LOST_READ = 1;
export const LOST_WRITE = 2;
export const LOST_CREATE_INSIDE = 4;
export const LOST_DELETE = 8;

/**
 * What `who` cannot do with a file and a directory just created in `parent`, as bits: read (the
 * file; list and enter the directory), and for a role that writes there too: write the file,
 * create entries in the directory, delete the file (w+x on the parent, and the sticky rule).
 * Where files are replaced by rename (`replace`), writing one is deleting it and creating its
 * successor: the file's own w bit plays no part. The caller has checked that `who` can reach the
 * parent at all.
 */
export function predictLoss(created: Created, parent: Inode, who: Principal, writes: boolean, replace = false, directories = true): number {
  if (who.uid === ROOT_UID) return 0;
  let lost = 0;
  // Listing a directory and entering it are two requests; creating in it is one that needs w and x.
  const dirReadable = !directories || (permits(created.dir, who, READ) && permits(created.dir, who, EXECUTE));
  if (!permits(created.file, who, READ) || !dirReadable) lost |= LOST_READ;
  if (!writes) return lost;
  const undeletable = deleteDenial(created.file, parent, who) !== undefined;
  if (replace ? undeletable : !permits(created.file, who, WRITE)) lost |= LOST_WRITE;
  if (directories && !permits(created.dir, who, WRITE | EXECUTE)) lost |= LOST_CREATE_INSIDE;
  if (undeletable) lost |= LOST_DELETE;
  return lost;
}

export function lostNames(lost: number): LostOperation[] {
  return LOST_OPERATIONS.filter((_, i) => lost & (1 << i));
}
