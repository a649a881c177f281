import { printable } from '../text/printable.js';
import { describeInode, joinOr, type Names } from '../access/describe.js';
import { firstBlocker } from '../access/traversal.js';
import type { Inode, Located } from '../access/types.js';
import { formatOctal, SETGID, symbolicMode } from '../mode/bits.js';
import type { Role } from '../roles/role.js';
import type { Subject } from '../roles/subject.js';
import { predictCreated, type Created } from '../predict/created.js';
import { LOST_CREATE_INSIDE, LOST_DELETE, LOST_READ, LOST_WRITE, predictLoss } from '../predict/loss.js';
import { creationModel, describeModel, makingSteps, type PathCreation } from '../predict/model.js';
import { wordList } from '../text/word-list.js';

export interface CreationStory {
  creator: Role;
  umask: number;
  parent: { path: string; inode: Inode } | undefined;
  /** How the code creates there, in words, when it does more than request 0666/0777 ("files chmod 0664"). */
  how: string[];
  /** The same per kind, for the rows: "chmod 0664". */
  steps: { file: string | undefined; directory: string | undefined };
  created: Created;
  /** Per other role: what it can and cannot do with what the creator makes. */
  others: { role: Subject; can: string[]; cannot: string[]; blockedBy?: string }[];
}

/** The directory, and every directory searched to reach its content (itself included). */
export interface Place {
  path: string;
  inode: Inode;
  chain: readonly Located[];
}

/**
 * What a role creates (in a given directory, or anywhere it is not setgid) and what each other
 * role can then do with it, as data for `explain --for`. `path` is what the policy says of
 * creations in that directory.
 */
export function creationStory(creator: Role, umask: number, others: readonly Subject[], place?: Place, path?: PathCreation): CreationStory {
  // Without a real directory: one that is not setgid, so new entries get the creator's group.
  const where: Inode = place?.inode ?? { type: 'directory', mode: 0o777, uid: creator.uid, gid: creator.gid };
  const created = predictCreated({ ...creator, umask }, where, path);
  const replace = path?.replace === true;
  const model = creationModel(creator.create, path, creator.name);
  const ops: [number, string][] = [
    [LOST_READ, 'read them'],
    [LOST_WRITE, replace ? 'replace the files' : 'write the files'],
    // Where the code makes no directories, there are none to create entries in.
    ...(path?.directories === false ? [] : [[LOST_CREATE_INSIDE, 'create entries in the directories'] as [number, string]]),
    // Deleting depends on the directory: only said of a real one.
    ...(place ? [[LOST_DELETE, 'delete the files'] as [number, string]] : []),
  ];
  return {
    creator,
    umask,
    parent: place,
    how: describeModel(model),
    steps: { file: makingSteps('file', model.file), directory: makingSteps('directory', model.directory) },
    created,
    others: others
      .filter((other) => other.name !== creator.name)
      .map((role) => {
        const blocker = place ? firstBlocker(place.chain, role.principal) : undefined;
        if (blocker) return { role, can: [], cannot: ops.map(([, w]) => w), blockedBy: blocker.path };
        const lost =
          role.principal.uid === creator.uid ? 0 : predictLoss(created, where, role.principal, true, replace, path?.directories !== false);
        return {
          role,
          can: ops.filter(([bit]) => !(lost & bit)).map(([, w]) => w),
          cannot: ops.filter(([bit]) => lost & bit).map(([, w]) => w),
        };
      }),
  };
}

export function renderCreationStory(story: CreationStory, names: Names): string {
  const { creator, created, parent } = story;
  const owner = (inode: Inode) => `${names.user(inode.uid)}:${names.group(inode.gid)}`;
  const lines = [
    `${creator.name} (${creator.user}) creates, under umask ${formatOctal(story.umask)}${parent ? ` in ${parent.path} (${describeInode(parent.inode, names)})` : ''}:`,
    `  files        ${formatOctal(created.file.mode)} ${symbolicMode(created.file.mode)}  ${owner(created.file)}${story.steps.file ? `  (${story.steps.file})` : ''}`,
    `  directories  ${formatOctal(created.dir.mode)} ${symbolicMode(created.dir.mode)}  ${owner(created.dir)}${story.steps.directory ? `  (${story.steps.directory})` : ''}`,
  ];
  if (parent && story.how.includes('files replaced by rename'))
    lines.push(`  (existing files there are replaced by rename: writing them needs w and x on ${parent.path}, not w on the file)`);
  if (parent && parent.inode.mode & SETGID) {
    const what = created.file.gid === parent.inode.gid ? 'new entries get its group' : 'new directories get its group';
    lines.push(`  (${parent.path} is setgid: ${what}, and new directories stay setgid)`);
  }
  if (!parent) lines.push(`  (in a directory without setgid; give --in DIR to see a real one)`);
  lines.push('');
  for (const { role, can, cannot, blockedBy } of story.others) {
    const who = `${role.name}${role.role ? ` (${role.role.user})` : ''}`;
    if (blockedBy) lines.push(`${who} cannot reach them at all: it cannot enter ${blockedBy}`);
    else if (cannot.length === 0) lines.push(`${who} can ${wordList(can)}`);
    else if (can.length === 0) lines.push(`${who} cannot ${joinOr(cannot)}`);
    else lines.push(`${who} can ${wordList(can)}, but cannot ${joinOr(cannot)}`);
  }
  // Paths and names come from the tree and the host: escaped, line by line.
  return lines.map(printable).join('\n') + '\n';
}

/** `explain --for ROLE --json`: the same story as data. */
export function creationStoryJson(story: CreationStory, names: Names) {
  const entry = (inode: Inode) => ({
    mode: formatOctal(inode.mode),
    symbolic: symbolicMode(inode.mode),
    owner: names.user(inode.uid),
    group: names.group(inode.gid),
  });
  return {
    role: story.creator.name,
    user: story.creator.user,
    umask: formatOctal(story.umask),
    in: story.parent?.path ?? null,
    file: entry(story.created.file),
    directory: entry(story.created.dir),
    others: Object.fromEntries(
      story.others.map((o) => [o.role.name, { can: o.can, cannot: o.cannot, ...(o.blockedBy ? { blockedBy: o.blockedBy } : {}) }]),
    ),
  };
}
