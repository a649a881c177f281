import { createUnderDefaultAcl, chmodAcl } from '../acl/create.js';
import type { AccessAcl, DefaultAcl } from '../acl/types.js';
import { ROOT_UID, type Inode } from '../access/types.js';
import { MODE_BITS, PERMISSION_BITS, SETGID, STICKY } from '../mode/bits.js';
import { creationMode, REQUESTED_FILE, type EntryKind } from '../mode/creation.js';
import { creationModel, type Making, type PathCreation, type RoleCreation } from './model.js';

/** Who creates: a user, its primary group, its umask and what its code does when creating. */
export interface Creator {
  /** The role's name: what a path's `moved` list is checked against. */
  name?: string;
  uid: number;
  gid: number;
  /** Its whole group set: which groups it can share with others. */
  gids: readonly number[];
  umask: number;
  create: RoleCreation;
}

export interface Created {
  file: Inode;
  dir: Inode;
}

/**
 * What a creator makes inside `parent`, as the kernel decides it (inode_init_owner, then
 * posix_acl_create, then chmod's setattr): owner = the creator; group = the parent's when the parent
 * has setgid (and a new directory then inherits setgid), else the creator's primary group. Mode =
 * requested & ~umask, unless the parent has a default ACL: then the umask is ignored and the new ACL
 * is the default one masked by the request (new directories also inherit it as their default). Sticky
 * is not inherited. Then what the code does afterwards (`path`, else the creator's own): a chmod sets
 * the mode whatever the umask, and on an entry with an ACL it rewrites the mask, not group::.
 */
export function predictCreated(creator: Creator, parent: Inode, path?: PathCreation): Created {
  const model = creationModel(creator.create, path, creator.name);
  return { file: make('file', model.file, creator, parent), dir: make('directory', model.directory, creator, parent) };
}

function make(kind: EntryKind, making: Making, creator: Creator, parent: Inode): Inode {
  const setgidParent = (parent.mode & SETGID) !== 0;
  const moved = kind === 'file' && making.moved === true;
  const gid = setgidParent && !moved ? parent.gid : creator.gid;
  const inherit = making.chmod === 'inherit';
  // wp_mkdir_p asks mkdir() for the parent's mode; its files are made as any other, then chmodded.
  const request = inherit ? (kind === 'directory' ? parent.mode & MODE_BITS : REQUESTED_FILE) : making.request;
  // Smarty sets umask(0) itself before it creates: the role's umask plays no part then.
  const umask = making.umask ?? creator.umask;
  let mode: number;
  let acl: AccessAcl | undefined;
  let defaultAcl: DefaultAcl | undefined;
  if (parent.defaultAcl && !moved) {
    // mkdir(2) keeps only the permission and sticky bits of the request.
    const made = createUnderDefaultAcl(
      kind === 'directory' ? request & (PERMISSION_BITS | STICKY) : request,
      kind === 'directory',
      parent.defaultAcl,
    );
    mode = made.mode;
    acl = made.acl;
    defaultAcl = made.defaultAcl;
  } else {
    mode = creationMode(kind, request, umask);
  }
  if (kind === 'directory' && setgidParent) mode |= SETGID;
  const target = chmodTarget(kind, making, request, umask, parent);
  if (target !== undefined) {
    mode = target & MODE_BITS;
    // chmod by a user outside the entry's group clears setgid (setattr_prepare), unless it is root.
    if (mode & SETGID && creator.uid !== ROOT_UID && !creator.gids.includes(gid)) mode &= ~SETGID;
    if (acl) acl = chmodAcl(acl, mode);
  }
  const made: Inode = { type: kind, mode, uid: creator.uid, gid };
  if (acl) made.acl = acl;
  if (defaultAcl) made.defaultAcl = defaultAcl;
  return made;
}

/** The mode the code's chmod() sets, or undefined when it does not chmod. */
function chmodTarget(kind: EntryKind, making: Making, request: number, umask: number, parent: Inode): number | undefined {
  const chmod = making.chmod;
  if (chmod === undefined) return undefined;
  if (chmod !== 'inherit') return chmod.lessUmask ? chmod.mode & ~(umask & PERMISSION_BITS) : chmod.mode;
  // _wp_handle_upload: the parent's rw bits.
  if (kind === 'file') return parent.mode & 0o666;
  // wp_mkdir_p chmods only when the umask took bits away from the parent's mode.
  const perms = request & PERMISSION_BITS;
  return (perms & ~umask) !== perms ? parent.mode & MODE_BITS : undefined;
}
