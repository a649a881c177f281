import { EXECUTE, READ, WRITE } from '../mode/bits.js';
import { denialText, grantFix } from './grant.js';
import { candidate, severityOf, target, type Rule } from './rule.js';

const LEVEL_BIT = 8;

/** read: files r, directories r+x; write: files r+w, directories r+w+x. */
export function requiredBits(level: 'read' | 'write', isDir: boolean): number {
  const base = level === 'write' ? READ | WRITE : READ;
  return isDir ? base | EXECUTE : base;
}

export const accessDenied: Rule = {
  id: 'access-denied',
  title: 'A role lacks the access the policy requires',
  defaultSeverity: 'error',
  summary: 'a role cannot read or write an entry it needs: the application fails with "Permission denied"',
  scope: 'entry',
  aggregate: true,
  check(entry, settings, out) {
    // A symlink's own mode means nothing: access is decided at its target, audited where it lies.
    if (entry.inode.type === 'symlink') return;
    const severity = severityOf(this, settings);
    if (!severity) return;
    const { levels } = entry.policy;
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i];
      if ((level !== 'read' && level !== 'write') || !entry.reachable[i]) continue;
      // A directory the role cannot enter is reported by traverse-denied, with what it hides.
      if (entry.isDir && !(entry.granted[i]! & EXECUTE)) continue;
      const missing = requiredBits(level, entry.isDir) & ~entry.granted[i]!;
      if (missing) out.push(candidate('access-denied', severity, entry, i, missing | (level === 'write' ? LEVEL_BIT : 0)));
    }
  },
  describe(c, { settings, names }) {
    const subject = settings.subjects[c.subject]!;
    const level = c.detail & LEVEL_BIT ? 'write' : 'read';
    const message = `${denialText(subject, c.inode, c.rel, c.detail & 7, names)}; it needs ${level} access`;
    const recursive = c.entries > 1;
    return {
      message,
      fix: grantFix(
        subject,
        c.inode,
        target(c),
        requiredBits(level, c.inode.type === 'directory' || recursive),
        recursive,
        names,
        settings.sharedGid,
      ),
    };
  },
};
