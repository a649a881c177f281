import type { AccessAcl, DefaultAcl } from '../acl/types.js';

/** What the kernel knows of an entry when it decides access: plain data, no file system. */
export type EntryType = 'file' | 'directory' | 'symlink' | 'fifo' | 'socket' | 'block-device' | 'char-device' | 'unknown';

export interface Inode {
  type: EntryType;
  /** The low 12 bits of st_mode: permissions plus setuid, setgid and sticky. */
  mode: number;
  uid: number;
  gid: number;
  /** The extended access ACL, when the entry has one (absent: the mode says everything). */
  acl?: AccessAcl | undefined;
  /** A directory's default ACL, when it has one. */
  defaultAcl?: DefaultAcl | undefined;
}

/** One symlink followed while resolving a path. */
export interface SymlinkStep {
  link: string;
  target: string;
}

/** A path and what lstat/stat said of it. */
export interface Located {
  path: string;
  inode: Inode;
}

/** Who asks: a uid and its whole group set (primary and supplementary). */
export interface Principal {
  uid: number;
  gids: readonly number[];
}

/**
 * "others": any local user who is neither an entry's owner nor in its group (another tenant on a
 * shared host). No real uid is -1, so this principal always falls in the other class.
 */
export const OTHERS: Principal = Object.freeze({ uid: -1, gids: Object.freeze([]) as readonly number[] });

export const ROOT_UID = 0;
