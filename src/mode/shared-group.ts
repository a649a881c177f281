import { SETGID } from './bits.js';

/**
 * The shared-group recipe: a directory tree given the group the roles share, group read and write
 * (x where anyone has it), and every directory setgid, so that what any role creates there gets the
 * group too (the kernel's inode_init_owner). The commands, as advice and docs spell them (the plan
 * renders its own, per entry, in change/render.ts):
 */
export function sharedGroupRecipe(group: string, dir: string): string {
  return `chgrp -R -h -- ${group} ${dir} && chmod -R -- g+rwX ${dir} && find -P ${dir} -type d -exec chmod g+s -- {} +`;
}

/** What the recipe gives a directory: setgid and group rwx. */
export const SHARED_GROUP_DIRECTORY_BITS = SETGID | 0o070;
