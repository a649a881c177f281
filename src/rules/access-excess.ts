import { describeInode, grantReason, joinOr } from '../access/describe.js';
import { WRITE_AND_SEARCH } from '../access/permission.js';
import { READ, WRITE } from '../mode/bits.js';
import { candidate, severityOf, type Rule } from './rule.js';

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
  },
  describe(c, { settings, names }) {
    const subject = settings.subjects[c.subject]!;
    const { excess, level, byOwnership } = excessDetail.decode(c.detail);
    const can = joinOr([excess & READ ? 'read' : '', excess & WRITE ? 'write' : ''].filter(Boolean));
    const why = byOwnership
      ? `${subject.name} owns it, and an owner can always change its mode`
      : grantReason(subject.name, c.inode, subject.principal, excess & WRITE ? WRITE : READ, names);
    return { message: `${subject.name} can ${can} ${c.rel} (${describeInode(c.inode, names)}) but its access there is ${level}: ${why}` };
  },
};
