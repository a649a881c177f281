import { describeInode, grantReason, joinOr } from '../access/describe.js';
import { WRITE_AND_SEARCH } from '../access/permission.js';
import { EXECUTE, READ, WRITE } from '../mode/bits.js';
import { candidate, severityOf, type Rule } from './rule.js';
import type { AccessLevel } from '../policy/schema.js';
import { worldWritable } from './world-writable.js';

/**
 * What a role can do beyond its level. Only abilities count: on a directory, w without x changes
 * nothing, and x alone (passing through) is not access to the directory's content.
 */
export function excessBits(level: 'none' | 'read', granted: number, isDir: boolean): number {
  const canRead = (granted & READ) !== 0;
  const canWrite = isDir ? (granted & WRITE_AND_SEARCH) !== 0 : (granted & WRITE) !== 0;
  return (level === 'none' && canRead ? READ : 0) | (canWrite ? WRITE : 0);
}

/**
 * What a role that owns the entry can give itself beyond its level: everything, with chmod (or
 * setfacl). Root is left out: it can do anything anywhere, owner or not.
 */
export function ownerExcess(level: 'none' | 'read', uid: number, owner: number): number {
  return uid > 0 && uid === owner ? (level === 'none' ? READ | WRITE : WRITE) : 0;
}

/**
 * What access-excess found: what the role can do beyond its level, that level, and whether some of
 * it is only the owner's power to chmod (the mode alone would not give it).
 */
export interface ExcessDetail {
  excess: number;
  level: 'none' | 'read';
  byOwnership: boolean;
}

/** A user or group a named ACL entry lets do more than others may, who is no role (by id). */
export interface Stranger {
  kind: 'acl-user' | 'acl-group';
  id: number;
}

export interface StrangerPayload {
  rule: 'access-excess';
  stranger: Stranger;
  /** The policy gives others no level here: judged by what world-writable holds for everyone, no write. */
  implied?: true;
}

/** Key parts: a role's own access (0), or a named ACL user (1) or group (2) that is no role. */
const BY_STRANGER: Record<Stranger['kind'], number> = { 'acl-user': 1, 'acl-group': 2 };

export const excessDetail = {
  encode: (detail: ExcessDetail): number => detail.excess | (detail.level === 'read' ? 8 : 0) | (detail.byOwnership ? 16 : 0),
  decode: (packed: number): ExcessDetail => ({ excess: packed & 7, level: packed & 8 ? 'read' : 'none', byOwnership: (packed & 16) !== 0 }),
};

export const accessExcess: Rule = {
  id: 'access-excess',
  title: 'A role has more access than the policy allows',
  defaultSeverity: 'warning',
  summary: 'a role can change (or read) what it should not: the web user can write code, so one upload bug becomes a defaced site',
  scope: 'entry',
  aggregate: true,
  check(entry, settings, out) {
    if (entry.inode.type === 'symlink') return;
    const severity = severityOf(this, settings);
    if (!severity) return;
    const { levels, secret } = entry.policy;
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i];
      if ((level !== 'none' && level !== 'read') || !entry.reachable[i]) continue;
      const byMode = excessBits(level, entry.granted[i]!, entry.isDir);
      // An owner can chmod: code the web user owns is code it can change, 0444 or not.
      let excess = byMode | ownerExcess(level, settings.subjects[i]!.principal.uid, entry.inode.uid);
      // Reading a secret one may not read is secret-exposed's (an error), not a mere excess.
      if (secret && !entry.isDir) excess &= ~READ;
      const byOwnership = (excess & ~byMode) !== 0;
      if (excess) out.push(candidate('access-excess', severity, entry, i, excessDetail.encode({ excess, level, byOwnership })));
    }
    strangers(entry, settings, (stranger, excess, level, implied) =>
      out.push(
        candidate(
          'access-excess',
          severity,
          entry,
          levels.length - 1,
          excessDetail.encode({ excess, level, byOwnership: false }),
          { rule: 'access-excess', stranger, ...(implied ? { implied } : {}) },
          BY_STRANGER[stranger.kind],
        ),
      ),
    );
  },
  describe(c, { settings, names }) {
    const subject = settings.subjects[c.subject]!;
    const { excess, level, byOwnership } = excessDetail.decode(c.detail);
    const can = joinOr([excess & READ ? 'read' : '', excess & WRITE ? 'write' : ''].filter(Boolean));
    if (c.extra?.rule === 'access-excess') {
      const { kind, id } = c.extra.stranger;
      const who = kind === 'acl-user' ? names.user(id) : `every member of group ${names.group(id)}`;
      const entry = kind === 'acl-user' ? `user:${names.user(id)}` : `group:${names.group(id)}`;
      const but = c.extra.implied ? 'no one outside the roles may write in the tree' : `others' access there is ${level}`;
      return {
        message: `${who} can ${can} ${c.rel} (${describeInode(c.inode, names)}), which no role is, but ${but}: its ACL entry ${entry} grants it`,
      };
    }
    const why = byOwnership
      ? `${subject.name} owns it, and an owner can always change its mode`
      : grantReason(subject.name, c.inode, subject.principal, excess & WRITE ? WRITE : READ, names);
    return { message: `${subject.name} can ${can} ${c.rel} (${describeInode(c.inode, names)}) but its access there is ${level}: ${why}` };
  },
};

/**
 * Named ACL entries for users and groups that are no role: the policy gives them what it gives others.
 * `found` gets each one that lets them do more (after the mask), with what more and others' level.
 * Reading a secret is secret-exposed's, not counted here.
 */
function strangers(
  entry: Parameters<NonNullable<Rule['check']>>[0],
  settings: Parameters<NonNullable<Rule['check']>>[1],
  found: (stranger: Stranger, excess: number, level: 'none' | 'read', implied: boolean) => void,
): void {
  // First: this runs for every entry, and few have an ACL.
  const acl = entry.inode.acl;
  if (!acl) return;
  const others = entry.policy.levels.length - 1;
  const judged = strangerLevel(entry.policy.levels, settings);
  if (!judged || !entry.reachable[others]) return;
  const { level, implied } = judged;
  const judge = (kind: Stranger['kind'], id: number, perm: number) => {
    const granted = perm & acl.mask;
    const searchable = (granted & (WRITE | EXECUTE)) === (WRITE | EXECUTE) ? WRITE_AND_SEARCH : 0;
    let excess = excessBits(level, granted | searchable, entry.isDir);
    if (entry.policy.secret && !entry.isDir) excess &= ~READ;
    if (excess) found({ kind, id }, excess, level, implied);
  };
  const roles = settings.subjects.flatMap((subject) => (subject.role ? [subject.role] : []));
  for (const named of acl.users) if (!roles.some((role) => role.uid === named.id)) judge('acl-user', named.id, named.perm);
  for (const named of acl.groups) if (!roles.some((role) => role.gids.includes(named.id))) judge('acl-group', named.id, named.perm);
}

/**
 * The level a named ACL entry for a user or group that is no role is held to: others' level, where the
 * policy gives one that limits (none, read); where it gives none, world-writable's word for everyone
 * outside the roles while it is on: no write (`implied`; the presets' code). Undefined: nothing to hold.
 */
export function strangerLevel(
  levels: readonly (AccessLevel | undefined)[],
  settings: Parameters<NonNullable<Rule['check']>>[1],
): { level: 'none' | 'read'; implied: boolean } | undefined {
  const given = levels[levels.length - 1];
  if (given === 'none' || given === 'read') return { level: given, implied: false };
  if (given === undefined && severityOf(worldWritable, settings) !== undefined) return { level: 'read', implied: true };
  return undefined;
}
