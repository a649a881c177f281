import { WRITE_AND_SEARCH } from '../access/permission.js';
import { EXECUTE, READ, WRITE } from '../mode/bits.js';
import { denialText } from './denial.js';
import { candidate, severityOf, type Rule } from './rule.js';

/** What access-denied found: the bits the role lacks (r, w, x, and w+x at once) and the level it needs. */
export interface DeniedDetail {
  missing: number;
  level: 'read' | 'write';
}

const LEVEL_WRITE = 16;

/** The detail packed in a candidate's number (candidates are many and cheap), and back. */
export const deniedDetail = {
  encode: (detail: DeniedDetail): number => detail.missing | (detail.level === 'write' ? LEVEL_WRITE : 0),
  decode: (packed: number): DeniedDetail => ({ missing: packed & 15, level: packed & LEVEL_WRITE ? 'write' : 'read' }),
};

/**
 * read: files r, directories r+x; write: files r+w, directories r+w+x, where w and x must be granted
 * together (creating, deleting and renaming in a directory is one request for both).
 */
export function requiredBits(level: 'read' | 'write', isDir: boolean): number {
  const base = level === 'write' ? READ | WRITE : READ;
  if (!isDir) return base;
  return level === 'write' ? base | EXECUTE | WRITE_AND_SEARCH : base | EXECUTE;
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
      if (missing) out.push(candidate('access-denied', severity, entry, i, deniedDetail.encode({ missing, level })));
    }
  },
  describe(c, { settings, names }) {
    const subject = settings.subjects[c.subject]!;
    const { level, missing } = deniedDetail.decode(c.detail);
    return { message: `${denialText(subject, c.inode, c.rel, missing, names)}; it needs ${level} access` };
  },
};
