import { EXECUTE } from '../mode/bits.js';
import { permits } from './permission.js';
import type { Located, Principal } from './types.js';

/**
 * The first directory on the way to an entry that the principal may not search. Reaching a path
 * needs x on every directory the lookup passes through, from / down to the entry's parent; one
 * 0700 directory three levels up hides everything below it, whatever their own modes.
 */
export function firstBlocker(chain: readonly Located[], who: Principal): Located | undefined {
  return chain.find((dir) => !permits(dir.inode, who, EXECUTE));
}
