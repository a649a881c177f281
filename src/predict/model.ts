import { formatOctal } from '../mode/bits.js';
import { REQUESTED_DIRECTORY, REQUESTED_FILE } from '../mode/creation.js';

/**
 * What the code does after creating an entry: chmod() to a fixed mode (the umask plays no part),
 * to a mode less the process umask (Laravel's `0777 - umask()`, Symfony's `0666 & ~umask()`: the
 * same as asking for it, except under a default ACL, where the chmod rewrites the mask), or to the
 * parent directory's mode (WordPress).
 */
export type Chmod = { mode: number; lessUmask: boolean } | 'inherit';

/** How the code makes one kind of entry: files or directories. */
export interface Making {
  /** What open() or mkdir() asks for: the umask narrows it, or a default ACL does. */
  request: number;
  /** Set afterwards with chmod(). */
  chmod?: Chmod | undefined;
  /** The umask the code sets itself before creating (Smarty's umask(0)), instead of the role's. */
  umask?: number | undefined;
  /**
   * Files only: made elsewhere and renamed in (an upload from PHP's upload_tmp_dir): it keeps the
   * group it was made with (the creator's, whatever the directory's setgid bit) and gets no default ACL.
   */
  moved?: boolean | readonly string[] | undefined;
}

/** What a role's code does by default, wherever it creates. */
export interface RoleCreation {
  file: Making;
  directory: Making;
}

/**
 * What a policy entry says of the entries created under it. Absent fields fall back to the creating
 * role's own (`roles.NAME.create`), then to 0666/0777 under the umask.
 */
export interface PathCreation {
  file?: Making | undefined;
  directory?: Making | undefined;
  /** Existing files are replaced by rename (a temp file, then rename over): writing them needs w+x on the directory, not w on the file. */
  replace?: boolean | undefined;
  /** false: the code makes no directories here, only files (`create.dir: "none"`). */
  directories?: boolean | undefined;
}

/** The creation model in force for one creator in one directory. */
export interface CreationModel {
  file: Making;
  directory: Making;
  replace: boolean;
}

/** open(O_CREAT) with 0666 and mkdir with 0777, narrowed by the umask: what code does unless it says otherwise. */
export const DEFAULT_CREATION: RoleCreation = Object.freeze({
  file: Object.freeze({ request: REQUESTED_FILE }),
  directory: Object.freeze({ request: REQUESTED_DIRECTORY }),
});

/** PHP's temporary files (uploads, tempnam): mkstemp asks for 0600. */
export const REQUESTED_TEMP_FILE = 0o600;

/**
 * The model for one creator: its own, then what the path says. A path's `moved` that lists roles is
 * settled for the role named (moved in by it, or made in place); without a name it stays a list.
 */
export function creationModel(role: RoleCreation, path: PathCreation | undefined, name?: string): CreationModel {
  const file = path?.file ?? role.file;
  const settled = name !== undefined && Array.isArray(file.moved) ? { ...file, moved: file.moved.includes(name) } : file;
  return { file: settled, directory: path?.directory ?? role.directory, replace: path?.replace ?? false };
}

export function sameMaking(a: Making, b: Making): boolean {
  return a.request === b.request && sameMoved(a.moved, b.moved) && a.umask === b.umask && sameChmod(a.chmod, b.chmod);
}

function sameMoved(a: Making['moved'], b: Making['moved']): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((role, i) => role === b[i]);
  return a === b;
}

function sameChmod(a: Chmod | undefined, b: Chmod | undefined): boolean {
  if (a === undefined || b === undefined || a === 'inherit' || b === 'inherit') return a === b;
  return a.mode === b.mode && a.lessUmask === b.lessUmask;
}

/**
 * Whether the umask of whoever creates decides the mode of entries made this way: not after a chmod
 * to a fixed or the parent's mode, nor after the code's own umask() (Smarty's umask(0)). Undefined
 * making: the path says nothing, the umask decides.
 */
export function umaskDecides(making: Making | undefined): boolean {
  if (!making) return true;
  if (making.umask !== undefined) return false;
  const chmod = making.chmod;
  return chmod === undefined || (chmod !== 'inherit' && chmod.lessUmask);
}

/** Does the model say anything beyond "request 0666/0777 and let the umask decide"? */
export function isPlain(model: CreationModel): boolean {
  return !model.replace && sameMaking(model.file, DEFAULT_CREATION.file) && sameMaking(model.directory, DEFAULT_CREATION.directory);
}

/** In words: "chmod 0664", "chmod to the parent's mode", "moved in (…), then chmod …"; undefined for a plain request. */
export function makingSteps(kind: 'file' | 'directory', making: Making): string | undefined {
  const plain = kind === 'file' ? REQUESTED_FILE : REQUESTED_DIRECTORY;
  const steps: string[] = [];
  const moved = making.moved;
  if (Array.isArray(moved)) steps.push(`moved in from elsewhere by ${moved.join(', ')} (keeping their group), made in place by others`);
  else if (moved) steps.push('moved in from elsewhere (keeping their group)');
  const umask = making.umask !== undefined ? `after umask(${formatOctal(making.umask)}) ` : '';
  if ((making.request !== plain || umask) && making.chmod !== 'inherit' && !making.moved)
    steps.push(`${umask}requested ${formatOctal(making.request)}`);
  const chmod = making.chmod;
  if (chmod === 'inherit') steps.push(kind === 'file' ? "chmod to the parent's rw bits" : "chmod to the parent's mode");
  else if (chmod) steps.push(`chmod ${formatOctal(chmod.mode)}${chmod.lessUmask ? ' & ~umask' : ''}`);
  return steps.length > 0 ? steps.join(', then ') : undefined;
}

/** "files chmod 0664", "directories chmod to the parent's mode", for messages. */
export function describeMaking(kind: 'file' | 'directory', making: Making): string | undefined {
  const steps = makingSteps(kind, making);
  return steps === undefined ? undefined : `${kind === 'file' ? 'files' : 'directories'} ${steps}`;
}

export function describeModel(model: CreationModel): string[] {
  return [
    describeMaking('file', model.file),
    describeMaking('directory', model.directory),
    model.replace ? 'files replaced by rename' : undefined,
  ].filter((part): part is string => part !== undefined);
}
