import type { Inode } from '../access/types.js';
import { EXECUTE, PERMISSION_BITS, READ, SETGID, SETUID, WRITE } from '../mode/bits.js';
import type { EntryPolicy } from '../policy/compile.js';
import { umaskDecides, type PathCreation } from '../predict/model.js';
import type { AuditSettings } from '../rules/contract.js';
import { expectedMode } from '../rules/mode-drift.js';
import { severityOf } from '../rules/rule.js';
import { RULES } from '../rules/index.js';
import { strangerLevel } from '../rules/access-excess.js';

/** What one subject must and must not be able to do with an entry, as rwx bits. */
export interface SubjectNeed {
  subject: number;
  required: number;
  forbidden: number;
  /**
   * Whether it may own the entry. An owner can always chmod, so a role that must not write an entry
   * must not own it either, whatever the mode says today.
   */
  mayOwn: boolean;
}

/** Everything the enabled rules demand of one entry at once: the input of the plan. */
export interface EntryNeeds {
  isDir: boolean;
  subjects: SubjectNeed[];
  /** owner and group the policy states (owner-mismatch). */
  owner: number | undefined;
  group: number | undefined;
  /** Bits no one outside the owner and group may have: w always (world-writable), r for a secret. */
  otherForbidden: number;
  /** setuid/setgid on a regular file go (special-bit). */
  stripSpecial: boolean;
  /** Bits beyond what the owner's umask gives, to remove where the policy does not need them (mode-drift). */
  drift: number;
  /** Subjects (indexes) that may write here: they create entries (cross-context, directories). */
  creators: number[];
  /** Subjects that use what is created here: read or write. */
  users: { subject: number; writes: boolean }[];
  /** How code creates here, when the policy says (creation models, issue 13): what creators make. */
  create: PathCreation | undefined;
  /**
   * What named ACL entries for others may not grant: for a secret, r to anyone but the roles that read
   * it (secret-exposed: "readable by pcatk, which no role is"); and what others' level forbids, to
   * anyone who is no role (access-excess: "nobody can write app, which no role is").
   */
  strangers: StrangerLimit[];
}

/** Bits no named ACL entry may grant, except entries for these uids and gids. */
export interface StrangerLimit {
  forbidden: number;
  uids: ReadonlySet<number>;
  gids: ReadonlySet<number>;
}

const on = (rule: keyof typeof RULES, settings: AuditSettings) => severityOf(RULES[rule], settings) !== undefined;

/**
 * The demands of every enabled rule on one entry. `searchNeeded` lists subjects that must be able to
 * enter this directory because something below needs them (traverse-denied).
 */
export function needsOf(
  inode: Inode,
  isDir: boolean,
  policy: EntryPolicy,
  settings: AuditSettings,
  searchNeeded: readonly number[],
  underDefaultAcl: boolean,
): EntryNeeds {
  const subjects: SubjectNeed[] = [];
  const denied = on('access-denied', settings);
  const excess = on('access-excess', settings);
  const secret = policy.secret && !isDir && on('secret-exposed', settings);
  const others = settings.subjects.length - 1;
  const creators: number[] = [];
  const users: { subject: number; writes: boolean }[] = [];
  policy.levels.forEach((level, s) => {
    let required = 0;
    let forbidden = 0;
    if (level === 'read' || level === 'write') {
      // Creation models (issue 13): a file replaced by rename is written through its directory (w+x
      // there, which the directory's own need asks for), never through its own w bit.
      const replaced = !isDir && policy.create?.replace === true;
      if (denied) required = level === 'write' && !replaced ? READ | WRITE : READ;
      if (denied && isDir) required |= EXECUTE;
      if (excess && level === 'read') forbidden = WRITE;
      users.push({ subject: s, writes: level === 'write' });
      if (level === 'write' && settings.subjects[s]!.role) creators.push(s);
    } else if (level === 'none') {
      if (excess) forbidden = READ | WRITE;
      else if (secret) forbidden = READ;
    }
    if (searchNeeded.includes(s) && on('traverse-denied', settings)) required |= EXECUTE;
    if (required || forbidden || s === others)
      // A role that must not read or must not write it must not own it either: an owner can always
      // chmod it back (a plugin installed through wp-admin is the web user's, 0644 or 0444 alike).
      subjects.push({ subject: s, required, forbidden, mayOwn: level !== 'none' && forbidden === 0 });
  });
  for (const s of searchNeeded) {
    if (policy.levels[s] === undefined && on('traverse-denied', settings))
      subjects.push({ subject: s, required: EXECUTE, forbidden: 0, mayOwn: true });
  }
  let drift = 0;
  // Under a default ACL, or with an ACL, the umask is not what made the mode; nor where the code
  // chmods what it creates (creation models, issue 13).
  const made = isDir ? policy.create?.directory : policy.create?.file;
  if (
    on('mode-drift', settings) &&
    (inode.type === 'file' || inode.type === 'directory') &&
    !underDefaultAcl &&
    !inode.acl &&
    umaskDecides(made)
  ) {
    drift = inode.mode & PERMISSION_BITS & ~expectedMode(settings, inode.uid, isDir, inode.mode);
  }
  return {
    isDir,
    subjects,
    owner: on('owner-mismatch', settings) ? policy.owner?.uid : undefined,
    group: on('owner-mismatch', settings) ? policy.group?.gid : undefined,
    otherForbidden: (on('world-writable', settings) ? WRITE : 0) | (secret ? READ : 0),
    stripSpecial: inode.type === 'file' && (inode.mode & (SETUID | SETGID)) !== 0 && on('special-bit', settings),
    drift,
    creators: isDir && on('cross-context', settings) ? creators : [],
    users: isDir && on('cross-context', settings) ? users : [],
    create: policy.create,
    // Only an ACL has named entries to limit (solve-acl.ts): none is built for the many entries without.
    strangers: inode.acl ? strangerLimits(policy, settings, secret, excess) : [],
  };
}

function strangerLimits(policy: EntryPolicy, settings: AuditSettings, secret: boolean, excess: boolean): StrangerLimit[] {
  const limits: StrangerLimit[] = [];
  const limit = (forbidden: number, subjects: AuditSettings['subjects']) => {
    const roles = subjects.flatMap((subject) => (subject.role ? [subject.role] : []));
    limits.push({ forbidden, uids: new Set(roles.map((role) => role.uid)), gids: new Set(roles.flatMap((role) => role.gids)) });
  };
  if (secret)
    limit(
      READ,
      settings.subjects.filter((_, s) => policy.levels[s] === 'read' || policy.levels[s] === 'write'),
    );
  const stranger = excess ? strangerLevel(policy.levels, settings) : undefined;
  if (stranger) limit(stranger.level === 'none' ? READ | WRITE : WRITE, settings.subjects);
  return limits;
}
