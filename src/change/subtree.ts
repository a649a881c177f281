import type { Inode } from '../access/types.js';
import { sameAccessAcl, sameDefaultAcl } from '../acl/same.js';
import type { AccessAcl, DefaultAcl } from '../acl/types.js';
import { MODE_BITS, PERMISSION_BITS, SETGID, SETUID } from '../mode/bits.js';
import type { Change } from './change.js';

/**
 * What the plan does to one subtree, folded bottom-up as the walk leaves each directory: enough to say
 * it with a few recursive commands (a clause is safe to apply to the whole subtree when every entry's
 * planned mode agrees with it) plus the entries that still differ. Plain data: it crosses threads.
 */
export interface SubtreeSummary {
  /** Planned modes of every directory and of every other non-symlink entry: bits all have, bits any has. */
  dirAnd: number;
  dirOr: number;
  fileAnd: number;
  fileOr: number;
  dirs: number;
  files: number;
  /** Planned owner and group of every non-symlink entry, or MIXED. */
  uid: number;
  gid: number;
  /** Bits some change adds or removes, on directories and on files apart. */
  dirPlus: number;
  dirMinus: number;
  filePlus: number;
  fileMinus: number;
  ownerChanged: boolean;
  groupChanged: boolean;
  /**
   * No recursive command may cover this subtree: it holds a regular file permcheck must not change in
   * place (hard links), or something the walk left out (--ignore, --only, an ignore list) or could not
   * read (EACCES, a race), which a `chmod -R` would change all the same.
   */
  untouchable: boolean;
  /** Changes that cannot be made (an infeasible entry): a recursive command would still be partial. */
  entriesChanged: number;
  /** The subtree said in commands, relative to its own root; undefined when it would take too many. */
  description: Description | undefined;
}

export const MIXED = -2;

/** A recursive command over a subtree, or a change of one entry. */
export type Step =
  | { kind: 'recursive'; rel: string; raw?: Uint8Array | undefined; clauses: Clauses }
  | { kind: 'entry'; rel: string; raw?: Uint8Array | undefined; isDir: boolean; current: Ownable; target: Ownable };

export interface Ownable {
  uid: number;
  gid: number;
  mode: number;
  /** The access ACL, where the entry has one. */
  acl?: AccessAcl | undefined;
  defaultAcl?: DefaultAcl | undefined;
}

/** What a recursive command does: new owner/group, and mode bits added or removed everywhere. */
export interface Clauses {
  uid?: number;
  gid?: number;
  plus: number;
  minus: number;
  /** setgid on every directory (find -type d). */
  setgidDirs: boolean;
  /** setuid and setgid off every regular file (find -type f). */
  stripFiles: boolean;
}

export interface Description {
  steps: Step[];
  /**
   * A directory at or below this one is one someone untrusted can change (now, or once the plan ran),
   * though nothing in it changes: no recursive command may be printed at or above it, since it would
   * walk in there, where a file or directory can be swapped for a symlink between its stat and chmod.
   */
  unsafeBelow?: true;
}

/** Beyond this many steps a subtree's fix is `permcheck fix --only`, which applies the same plan safely. */
export const MAX_STEPS = 12;

export type EntryStep = Extract<Step, { kind: 'entry' }>;

/**
 * The planned changes of a directory's non-directories, grouped by what they change from and to: a
 * recursive clause at the directory leaves all of a group alike, so a thousand files that one
 * `chmod -R` covers cost one group, and only a group it does not cover needs its paths.
 */
export type ChangedEntries = Map<string, { count: number; steps: EntryStep[] }>;

/** Past this many kinds of change in one directory its subtree's fix is the pointer too. */
const MAX_GROUPS = 64;

/** One more changed entry of the directory; undefined once there are too many kinds to say. */
export function addChanged(changed: ChangedEntries | undefined, step: EntryStep): ChangedEntries | undefined {
  if (!changed) return undefined;
  const key = changeKind(step);
  let group = changed.get(key);
  if (!group) {
    if (changed.size >= MAX_GROUPS) return undefined;
    group = { count: 0, steps: [] };
    changed.set(key, group);
  }
  group.count++;
  // One past the limit is enough to know that an uncovered group is too many to print.
  if (group.steps.length <= MAX_STEPS) group.steps.push(step);
  return changed;
}

/** What decides whether recursive clauses leave an entry at its target (remainingTo). */
function changeKind({ isDir, current, target }: EntryStep): string {
  const acl =
    (target.acl !== undefined && !sameAccessAcl(target.acl, current.acl)) ||
    (target.defaultAcl !== undefined && !sameDefaultAcl(target.defaultAcl, current.defaultAcl));
  return [isDir, current.uid, current.gid, current.mode, target.uid, target.gid, target.mode, acl].join(' ');
}

export function emptySummary(): SubtreeSummary {
  return {
    dirAnd: MODE_BITS,
    dirOr: 0,
    fileAnd: MODE_BITS,
    fileOr: 0,
    dirs: 0,
    files: 0,
    uid: -1,
    gid: -1,
    dirPlus: 0,
    dirMinus: 0,
    filePlus: 0,
    fileMinus: 0,
    ownerChanged: false,
    groupChanged: false,
    untouchable: false,
    entriesChanged: 0,
    description: { steps: [] },
  };
}

/** Fold one entry's planned state into its directory's summary. */
export function addEntry(summary: SubtreeSummary, inode: Inode, change: Change | undefined, untouchable: boolean): void {
  if (inode.type === 'symlink') return;
  const mode = change?.mode ?? inode.mode;
  const uid = change?.uid ?? inode.uid;
  const gid = change?.gid ?? inode.gid;
  if (inode.type === 'directory') {
    summary.dirAnd &= mode;
    summary.dirOr |= mode;
    summary.dirs++;
  } else {
    summary.fileAnd &= mode;
    summary.fileOr |= mode;
    summary.files++;
  }
  summary.uid = summary.uid === -1 || summary.uid === uid ? uid : MIXED;
  summary.gid = summary.gid === -1 || summary.gid === gid ? gid : MIXED;
  if (untouchable) summary.untouchable = true;
  if (!change) return;
  summary.entriesChanged++;
  if (change.mode !== undefined) {
    const plus = change.mode & ~inode.mode & MODE_BITS;
    const minus = inode.mode & ~change.mode & MODE_BITS;
    if (inode.type === 'directory') {
      summary.dirPlus |= plus;
      summary.dirMinus |= minus;
    } else {
      summary.filePlus |= plus;
      summary.fileMinus |= minus;
    }
  }
  if (change.uid !== undefined) summary.ownerChanged = true;
  if (change.gid !== undefined) summary.groupChanged = true;
}

/** Fold a finished child directory's summary into its parent's. */
export function addSubtree(summary: SubtreeSummary, child: SubtreeSummary): void {
  summary.dirAnd &= child.dirAnd;
  summary.dirOr |= child.dirOr;
  summary.fileAnd &= child.fileAnd;
  summary.fileOr |= child.fileOr;
  summary.dirs += child.dirs;
  summary.files += child.files;
  for (const key of ['uid', 'gid'] as const) {
    if (child[key] === -1) continue;
    summary[key] = summary[key] === -1 || summary[key] === child[key] ? child[key] : MIXED;
  }
  summary.dirPlus |= child.dirPlus;
  summary.dirMinus |= child.dirMinus;
  summary.filePlus |= child.filePlus;
  summary.fileMinus |= child.fileMinus;
  summary.ownerChanged ||= child.ownerChanged;
  summary.groupChanged ||= child.groupChanged;
  summary.untouchable ||= child.untouchable;
  summary.entriesChanged += child.entriesChanged;
}

/**
 * The clauses one recursive command at the root of this subtree can carry: those every entry's plan
 * agrees with and some entry needs. chmod -R applies a clause to directories and files alike, so a
 * bit is added only where both kinds are planned to have it, and removed only where neither is.
 */
export function recursiveClauses(summary: SubtreeSummary): Clauses {
  const allHave = (summary.dirs ? summary.dirAnd : MODE_BITS) & (summary.files ? summary.fileAnd : MODE_BITS);
  const anyHas = summary.dirOr | summary.fileOr;
  const plus = (summary.dirPlus | summary.filePlus) & allHave & PERMISSION_BITS;
  const minus = (summary.dirMinus | summary.fileMinus) & ~anyHas & PERMISSION_BITS;
  const clauses: Clauses = {
    plus,
    minus,
    setgidDirs: (summary.dirPlus & SETGID) !== 0 && (summary.dirAnd & SETGID) !== 0,
    stripFiles: (summary.fileMinus & (SETUID | SETGID)) !== 0 && (summary.fileOr & (SETUID | SETGID)) === 0,
  };
  if (summary.ownerChanged && summary.uid >= 0) clauses.uid = summary.uid;
  if (summary.groupChanged && summary.gid >= 0) clauses.gid = summary.gid;
  return clauses;
}

export function hasClauses(clauses: Clauses): boolean {
  return (
    clauses.uid !== undefined ||
    clauses.gid !== undefined ||
    clauses.plus !== 0 ||
    clauses.minus !== 0 ||
    clauses.setgidDirs ||
    clauses.stripFiles
  );
}

/** What an entry looks like once the recursive clauses above it ran (chown, then chmod, then the finds). */
export function afterClauses(entry: Ownable, isDir: boolean, clauses: readonly Clauses[]): Ownable {
  let { uid, gid, mode } = entry;
  for (const c of clauses) {
    if (c.uid !== undefined || c.gid !== undefined) {
      // chown clears setuid and setgid of a regular file.
      if (!isDir) mode &= ~(SETUID | SETGID);
      uid = c.uid ?? uid;
      gid = c.gid ?? gid;
    }
    mode = (mode | c.plus) & ~c.minus;
    if (isDir && c.setgidDirs) mode |= SETGID;
    if (!isDir && c.stripFiles) mode &= ~(SETUID | SETGID);
  }
  return { uid, gid, mode };
}

/**
 * Where commands naming a path are safe to paste: no one untrusted can swap a directory on the way.
 * `self`: for the directory's own path; `inside`: for what it holds.
 */
export interface PathSafety {
  self: boolean;
  /** Also where a recursive command at the directory is safe: it walks what someone else could swap. */
  inside: boolean;
}

/**
 * The description of a finished directory's subtree: a recursive command at its root when that is
 * safe and says something, the recursive commands of its children with what that one already does taken
 * out, then every entry that still needs its own change once the recursive commands that cover it ran.
 * Undefined past MAX_STEPS, when a child's was, or when a path it would name is not safe to paste.
 */
export function describeSubtree(
  summary: SubtreeSummary,
  self: { rel: string; raw?: Uint8Array | undefined; current: Ownable; change: Change | undefined },
  children: readonly (Description | undefined)[],
  entries: ChangedEntries,
  safety: PathSafety,
): Description | undefined {
  if (children.some((child) => child === undefined)) return undefined;
  if ((self.change && !safety.self) || (entries.size > 0 && !safety.inside)) return undefined;
  const unsafeBelow = !safety.inside || children.some((child) => child!.unsafeBelow);
  // One changed entry is said by its own command; a recursive one would only add noise.
  const clauses = !unsafeBelow && !summary.untouchable && summary.entriesChanged > 1 ? recursiveClauses(summary) : undefined;
  const recursive: Extract<Step, { kind: 'recursive' }>[] = [];
  if (clauses && hasClauses(clauses)) recursive.push({ kind: 'recursive', rel: self.rel, raw: self.raw, clauses });
  const own: Extract<Step, { kind: 'entry' }>[] = self.change
    ? [{ kind: 'entry', rel: self.rel, raw: self.raw, isDir: true, current: self.current, target: targetOf(self.current, self.change) }]
    : [];
  const singles: Step[] = [...own];
  for (const group of entries.values()) {
    // The directory's own recursive clauses are the only ones that reach its files, and they reach a
    // group's entries alike: check one, and print the paths only of what they leave.
    if (!remainingChange(group.steps[0]!, recursive)) continue;
    if (group.count > MAX_STEPS) return undefined;
    singles.push(...group.steps);
  }
  for (const step of children.flatMap((child) => child!.steps)) {
    if (step.kind === 'entry') {
      singles.push(step);
      continue;
    }
    const rest = subtractClauses(step.clauses, clauses ? [clauses] : []);
    if (hasClauses(rest)) recursive.push({ ...step, clauses: rest });
  }
  const steps: Step[] = [...recursive];
  for (const step of singles) {
    if (step.kind !== 'entry') continue;
    if (remainingChange(step, recursive)) steps.push(step);
    if (steps.length > MAX_STEPS) return undefined;
  }
  if (steps.length > MAX_STEPS) return undefined;
  return unsafeBelow ? { steps, unsafeBelow: true } : { steps };
}

export function targetOf(current: Ownable, change: Change): Ownable {
  return {
    uid: change.uid ?? current.uid,
    gid: change.gid ?? current.gid,
    mode: change.mode ?? current.mode,
    acl: change.acl ?? current.acl,
    defaultAcl: change.defaultAcl ?? current.defaultAcl,
  };
}

/** What an entry step still changes once the recursive steps that cover it ran; undefined for nothing. */
export function remainingChange(step: Extract<Step, { kind: 'entry' }>, steps: readonly Step[]): Change | undefined {
  const covering = steps.flatMap((r) => (r.kind === 'recursive' && covers(r.rel, step.rel) ? [r.clauses] : []));
  return remainingTo(step.current, step.isDir, step.target, covering);
}

/** Does a recursive command at `root` reach `rel`? */
export function covers(root: string, rel: string): boolean {
  return root === '.' || rel === root || rel.startsWith(`${root}/`);
}

/** The change still needed to reach `target` once the clauses above ran. */
function remainingTo(current: Ownable, isDir: boolean, target: Ownable, above: readonly Clauses[]): Change | undefined {
  const now = afterClauses(current, isDir, above);
  const change: Change = {};
  if (now.uid !== target.uid) change.uid = target.uid;
  if (now.gid !== target.gid) change.gid = target.gid;
  if (
    (now.mode & MODE_BITS) !== (target.mode & MODE_BITS) ||
    ((change.uid !== undefined || change.gid !== undefined) && !isDir && target.mode & 0o6000)
  ) {
    change.mode = target.mode & MODE_BITS;
  }
  // No recursive command sets named ACL entries: a planned ACL is always the entry's own step.
  if (target.acl && !sameAccessAcl(target.acl, current.acl)) change.acl = target.acl;
  if (target.defaultAcl && !sameDefaultAcl(target.defaultAcl, current.defaultAcl)) change.defaultAcl = target.defaultAcl;
  return Object.keys(change).length === 0 ? undefined : change;
}

function subtractClauses(clauses: Clauses, above: readonly Clauses[]): Clauses {
  let { plus, minus, setgidDirs, stripFiles } = clauses;
  let uid = clauses.uid;
  let gid = clauses.gid;
  for (const c of above) {
    plus &= ~c.plus;
    minus &= ~c.minus;
    if (c.setgidDirs) setgidDirs = false;
    if (c.stripFiles) stripFiles = false;
    if (c.uid !== undefined && c.uid === uid) uid = undefined;
    if (c.gid !== undefined && c.gid === gid) gid = undefined;
  }
  return { ...(uid !== undefined ? { uid } : {}), ...(gid !== undefined ? { gid } : {}), plus, minus, setgidDirs, stripFiles };
}
