import { EXECUTE, STICKY, WRITE } from '../mode/bits.js';
import { permits } from './permission.js';
import { ROOT_UID, type Inode, type Principal } from './types.js';

export type DeleteDenial = 'parent' | 'sticky';

/**
 * May the principal unlink or rename an entry out of its parent (the kernel's may_delete)? It needs
 * write and search on the PARENT, not on the entry. In a sticky parent (1777, /tmp style) only the
 * entry's owner, the parent's owner or root may remove it. Returns why not, or undefined.
 */
export function deleteDenial(entry: Inode, parent: Inode, who: Principal): DeleteDenial | undefined {
  if (!permits(parent, who, WRITE | EXECUTE)) return 'parent';
  if (parent.mode & STICKY && who.uid !== ROOT_UID && who.uid !== entry.uid && who.uid !== parent.uid) return 'sticky';
  return undefined;
}
