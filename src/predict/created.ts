import { createUnderDefaultAcl } from '../acl/create.js';
import type { Inode } from '../access/types.js';
import { PERMISSION_BITS, SETGID, STICKY } from '../mode/bits.js';
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
 * What a creator makes inside `parent`, as the kernel decides it (inode_init_owner, then
 * posix_acl_create): owner = the creator; group = the parent's when the parent has setgid (and a new
 * directory then inherits setgid), else the creator's primary group. Mode = requested & ~umask, unless
 * the parent has a default ACL: then the umask is ignored and the new ACL is the default one masked by
 * the request (new directories also inherit it as their default). Sticky is not inherited.
 */
export function predictCreated(creator: Creator, parent: Inode): Created {
  const setgid = (parent.mode & SETGID) !== 0;
  const gid = setgid ? parent.gid : creator.gid;
  const inherited = setgid ? SETGID : 0;
  if (parent.defaultAcl) {
    const file = createUnderDefaultAcl(creator.create.file, false, parent.defaultAcl);
    // mkdir(2) keeps only the permission and sticky bits of the request.
    const dir = createUnderDefaultAcl(creator.create.directory & (PERMISSION_BITS | STICKY), true, parent.defaultAcl);
    return {
      file: { type: 'file', mode: file.mode, uid: creator.uid, gid, acl: file.acl },
      dir: { type: 'directory', mode: dir.mode | inherited, uid: creator.uid, gid, acl: dir.acl, defaultAcl: dir.defaultAcl },
    };
  }
  return {
    file: { type: 'file', mode: creationMode('file', creator.create.file, creator.umask), uid: creator.uid, gid },
    dir: { type: 'directory', mode: creationMode('directory', creator.create.directory, creator.umask) | inherited, uid: creator.uid, gid },
  };
}
