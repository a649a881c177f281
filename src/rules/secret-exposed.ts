import { classReason, describeInode } from '../access/describe.js';
import { accessClass } from '../access/permission.js';
import { chmod, chmodClause } from '../fix/shell.js';
import { ownerFix } from './grant.js';
import { READ } from '../mode/bits.js';
import { candidate, severityOf, target, type Rule } from './rule.js';

export const secretExposed: Rule = {
  id: 'secret-exposed',
  title: 'A secret is readable by others, or by a role that must not read it',
  defaultSeverity: 'error',
  summary: 'database passwords and keys in .env, app/etc/env.php or wp-config.php can be read by other local users',
  scope: 'entry',
  aggregate: true,
  check(entry, settings, out) {
    if (!entry.policy.secret || entry.isDir || entry.inode.type === 'symlink') return;
    const severity = severityOf(this, settings);
    if (!severity) return;
    const others = settings.subjects.length - 1;
    // Judged by the file's own bits: a parent directory that keeps others out today is one chmod,
    // one backup or one tar archive away from not doing so.
    if (entry.inode.mode & 0o004) out.push(candidate('secret-exposed', severity, entry, others, 0));
    for (let i = 0; i < others; i++) {
      if (entry.policy.levels[i] === 'none' && entry.reachable[i] && entry.granted[i]! & READ) {
        out.push(candidate('secret-exposed', severity, entry, i, 0));
      }
    }
  },
  describe(c, { settings, names }) {
    const subject = settings.subjects[c.subject]!;
    const recursive = c.entries > 1;
    if (!subject.role) {
      return {
        message: `secret ${c.rel} (${describeInode(c.inode, names)}) is readable by others by its own mode`,
        fix: chmod('o-r', target(c), recursive),
      };
    }
    const cls = accessClass(c.inode, subject.principal);
    const message = `secret ${c.rel} (${describeInode(c.inode, names)}) is readable by ${subject.name}, whose access there is none: ${classReason(subject.name, cls, c.inode, names)}`;
    if (cls === 'owner' || cls === 'root') {
      const { fix, note } = ownerFix(settings, c);
      return { message: message + (note ?? ''), ...(fix ? { fix } : {}) };
    }
    return { message, fix: chmod(chmodClause(cls === 'group' ? 'group' : 'other', '-', READ, false), target(c), recursive) };
  },
};
