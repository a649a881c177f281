import type { Inode } from '../access/types.js';
import { SETGID } from '../mode/bits.js';
import { creationMode } from '../mode/creation.js';

/** Who creates: a user, its primary group, its umask and the modes its code requests. */
export interface Creator {
  uid: number;
  gid: number;
  /** Its whole group set: which groups it can share with others. */
  gids: readonly number[];
  umask: number;
  create: { file: number; directory: number };
}

export interface Created {
  file: Inode;
  dir: Inode;
}

/**
 * What a creator makes inside `parent`, as the kernel decides it (inode_init_owner): mode =
 * requested & ~umask; owner = the creator; group = the parent's when the parent has setgid (and a
 * new directory then inherits setgid), else the creator's primary group. Sticky is not inherited.
 */
export function predictCreated(creator: Creator, parent: Inode): Created {
  const setgid = (parent.mode & SETGID) !== 0;
  const gid = setgid ? parent.gid : creator.gid;
  return {
    file: { type: 'file', mode: creationMode('file', creator.create.file, creator.umask), uid: creator.uid, gid },
    dir: {
      type: 'directory',
      mode: creationMode('directory', creator.create.directory, creator.umask) | (setgid ? SETGID : 0),
      uid: creator.uid,
      gid,
    },
  };
}
