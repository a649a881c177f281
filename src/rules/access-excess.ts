import { classReason, describeInode, joinOr } from '../access/describe.js';
import { accessClass, WRITE_AND_SEARCH } from '../access/permission.js';
import { chmod, chmodClause } from '../fix/shell.js';
import { ownerFix } from './grant.js';
import { READ, WRITE } from '../mode/bits.js';
import { candidate, severityOf, target, type Rule } from './rule.js';

/**
 * What a role can do beyond its level. Only abilities count: on a directory, w without x changes
 * nothing, and x alone (passing through) is not access to the directory's content.
 */
export function excessBits(level: 'none' | 'read', granted: number, isDir: boolean): number {
  const canRead = (granted & READ) !== 0;
  const canWrite = isDir ? (granted & WRITE_AND_SEARCH) !== 0 : (granted & WRITE) !== 0;
  return (level === 'none' && canRead ? READ : 0) | (canWrite ? WRITE : 0);
}

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
      let excess = excessBits(level, entry.granted[i]!, entry.isDir);
      // Reading a secret one may not read is secret-exposed's (an error), not a mere excess.
      if (secret && !entry.isDir) excess &= ~READ;
      if (excess) out.push(candidate('access-excess', severity, entry, i, excess | (level === 'read' ? 8 : 0)));
    }
  },
  describe(c, { settings, names }) {
    const subject = settings.subjects[c.subject]!;
    const excess = c.detail & 7;
    const level = c.detail & 8 ? 'read' : 'none';
    const can = joinOr([excess & READ ? 'read' : '', excess & WRITE ? 'write' : ''].filter(Boolean));
    const cls = accessClass(c.inode, subject.principal);
    const message = `${subject.name} can ${can} ${c.rel} (${describeInode(c.inode, names)}) but its access there is ${level}: ${classReason(subject.name, cls, c.inode, names)}`;
    const recursive = c.entries > 1;
    if (cls === 'owner' || cls === 'root') {
      const { fix, note } = ownerFix(settings, c);
      return { message: message + (note ?? ''), ...(fix ? { fix } : {}) };
    }
    const bits = excess & WRITE ? WRITE : READ;
    return {
      message,
      fix: chmod(chmodClause(cls === 'group' ? 'group' : 'other', '-', bits | (excess & READ), false), target(c), recursive),
    };
  },
};
