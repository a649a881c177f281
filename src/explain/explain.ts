import { classBits, formatOctal, PERMISSION_BITS, READ, SETGID, SETUID, WRITE } from '../mode/bits.js';
import { creationMode, REQUESTED_DIRECTORY, REQUESTED_FILE, type EntryKind } from '../mode/creation.js';
import type { Inode } from '../access/types.js';
import { predictCreated } from '../predict/created.js';
import { creationModel, DEFAULT_CREATION, makingSteps, type PathCreation } from '../predict/model.js';
import { sharedGroupRecipe } from '../mode/shared-group.js';
import type { RequestedMode } from './requested.js';

export interface ModeRow {
  kind: EntryKind;
  requested: number;
  mode: number;
  /** How the code makes it there, when it does more than request (--in DIR with a creation model). */
  how?: string;
}

/** A directory and what the policy says of creations in it (explain --in DIR). */
export interface CreationPlace {
  path: string;
  inode: Inode;
  create: PathCreation | undefined;
}

export interface Explanation {
  umask: number;
  /** The directory of --in, when the rows are for entries made there. */
  in?: string;
  file: ModeRow;
  directory: ModeRow;
  custom: ModeRow[];
  warnings: string[];
  notes: string[];
}

function row(kind: EntryKind, requested: number, umask: number): ModeRow {
  return { kind, requested, mode: creationMode(kind, requested, umask) };
}

/**
 * The rows for files and directories made in a directory under its creation model: a creator in the
 * directory's group (so a setgid bit survives a chmod), under the umask.
 */
function placeRows(umask: number, place: CreationPlace): { file: ModeRow; directory: ModeRow } {
  const model = creationModel(DEFAULT_CREATION, place.create);
  const creator = { uid: -2, gid: place.inode.gid, gids: [place.inode.gid], umask, create: DEFAULT_CREATION };
  const created = predictCreated(creator, place.inode, place.create);
  const made = (kind: EntryKind, mode: number): ModeRow => {
    const making = kind === 'file' ? model.file : model.directory;
    const how = makingSteps(kind, making);
    return { kind, requested: making.request, mode, ...(how ? { how } : {}) };
  };
  return { file: made('file', created.file.mode), directory: made('directory', created.dir.mode) };
}

/**
 * What a umask does to new files and directories, and what that means for the people sharing them;
 * in `place`, as the policy says the code creates there.
 */
export function explainUmask(umask: number, custom: readonly RequestedMode[] = [], place?: CreationPlace): Explanation {
  const rows = place
    ? placeRows(umask, place)
    : { file: row('file', REQUESTED_FILE, umask), directory: row('directory', REQUESTED_DIRECTORY, umask) };
  const { file, directory } = rows;
  const customRows = custom.map((request) => row(request.kind, request.requested, umask));
  return {
    umask,
    ...(place ? { in: place.path } : {}),
    file,
    directory,
    custom: customRows,
    warnings: warningsFor(file, directory, customRows),
    notes: notesFor(customRows),
  };
}

function warningsFor(file: ModeRow, directory: ModeRow, custom: ModeRow[]): string[] {
  const warnings: string[] = [];
  const f = formatOctal(file.mode);
  const d = formatOctal(directory.mode);
  for (const r of [file, directory, ...custom]) {
    if (classBits(r.mode, 'other') & WRITE) {
      const what =
        r === file || r === directory
          ? `new ${r.kind === 'file' ? 'files' : 'directories'}`
          : `entries requested as ${formatOctal(r.requested)}`;
      warnings.push(
        r.kind === 'file'
          ? `World-writable: ${what} get ${formatOctal(r.mode)}, so any local user (another tenant on a shared host, any compromised service) can change them.`
          : `World-writable: ${what} get ${formatOctal(r.mode)} without the sticky bit, so any local user can create files in them and delete or replace anyone's files there.`,
      );
    }
  }
  const group = classBits(file.mode, 'group');
  const owner = classBits(file.mode, 'owner');
  if (!(group & READ)) {
    warnings.push(
      `The group is locked out: new entries get ${f}/${d}, so only processes running as the owner can use them. The web, CLI and cron users must then be one and the same user, or each gets "Permission denied" on what the others create.`,
    );
  } else if (group & WRITE) {
    warnings.push(
      `Group-writable: new entries get ${f}/${d}. That lets the web, CLI and cron users change each other's files only if they share a group: give the writable directories that group with the setgid bit (${sharedGroupRecipe('GROUP', 'DIR')}). Every member of the group can change them.`,
    );
  } else {
    warnings.push(
      `The group can read but not change: new entries get ${f}/${d}, so a second user in the group (web vs. CLI or cron) can read what the other creates but cannot update or delete it, nor create files in its new directories.`,
    );
  }
  if (classBits(file.mode, 'other') & READ && !(classBits(file.mode, 'other') & WRITE)) {
    warnings.push(
      `Others can read: new files get ${f}, so on a shared host every local user can read the code and any secret written under this umask (.env, app/etc/env.php, wp-config.php). 027 or 007 keeps them out.`,
    );
  }
  if ((owner & (READ | WRITE)) !== (READ | WRITE)) {
    warnings.push(
      `The owner itself loses access: new files get ${f}, so even the user that created them cannot ${owner & READ ? 'change' : 'read'} them.`,
    );
  }
  return warnings;
}

function notesFor(custom: ModeRow[]): string[] {
  const notes: string[] = [];
  if (custom.length > 0) {
    notes.push(
      'chmod() ignores the umask: code that calls chmod($path, 0777) after creating an entry gets exactly that mode, whatever umask the operator chose.',
    );
  }
  if (custom.some((r) => r.kind === 'directory' && r.requested & (SETUID | SETGID))) {
    notes.push(
      'mkdir() drops setuid and setgid from the requested mode: a new directory gets setgid only by inheriting it from a setgid parent.',
    );
  }
  const narrowed = custom.find((r) => (r.requested & PERMISSION_BITS) !== (r.mode & PERMISSION_BITS));
  if (narrowed) {
    notes.push(
      `Explicit modes go through the umask too: asking for ${formatOctal(narrowed.requested)} gives ${formatOctal(narrowed.mode)} here.`,
    );
  }
  return notes;
}
