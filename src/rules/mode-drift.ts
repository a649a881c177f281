import { describeInode } from '../access/describe.js';
import type { AuditSettings } from '../audit/types.js';
import { chmod, chmodClause } from '../fix/shell.js';
import { classBits, formatOctal, PERMISSION_BITS, PERMISSION_CLASSES } from '../mode/bits.js';
import { creationMode } from '../mode/creation.js';
import { candidate, severityOf, target, type Rule } from './rule.js';

/**
 * The mode the entry would have if its owner had created it under the configured umask: 0666 for
 * files (0777 for files with an x bit), 0777 for directories, minus the umask of the role that owns
 * it, or the default umask when no role does.
 */
export function expectedMode(settings: AuditSettings, uid: number, isDir: boolean, mode: number): number {
  const umask = settings.umaskByUid.get(uid) ?? settings.defaultUmask;
  if (isDir) return creationMode('directory', 0o777, umask) & PERMISSION_BITS;
  return creationMode('file', mode & 0o111 ? 0o777 : 0o666, umask) & PERMISSION_BITS;
}

export const modeDrift: Rule = {
  id: 'mode-drift',
  title: 'The mode differs from what the configured umask produces',
  defaultSeverity: 'warning',
  summary: "an entry is more permissive than its owner's umask would make it (warning), or stricter (info): something chmods by hand",
  scope: 'entry',
  aggregate: true,
  check(entry, settings, out) {
    const { type } = entry.inode;
    if (type !== 'file' && type !== 'directory') return;
    const expected = expectedMode(settings, entry.inode.uid, entry.isDir, entry.inode.mode);
    const actual = entry.inode.mode & PERMISSION_BITS;
    if (actual === expected) return;
    const severity = severityOf(this, settings, actual & ~expected ? undefined : 'info');
    if (severity) out.push(candidate('mode-drift', severity, entry, -1, expected));
  },
  describe(c, { settings, names }) {
    const actual = c.inode.mode & PERMISSION_BITS;
    const extra = actual & ~c.detail;
    const umask = settings.umaskByUid.get(c.inode.uid);
    const owner = settings.subjects.find((s) => s.role && s.role.uid === c.inode.uid);
    const source =
      umask !== undefined && owner
        ? `umask ${formatOctal(umask)} of ${owner.name} (its owner)`
        : `the default umask ${formatOctal(settings.defaultUmask)}`;
    const comparison = extra ? 'more permissive than' : 'stricter than';
    const message = `${c.rel} (${describeInode(c.inode, names)}) is ${formatOctal(actual)}, ${comparison} the ${formatOctal(c.detail)} that ${source} gives`;
    if (!extra) return { message };
    const clauses = PERMISSION_CLASSES.map((cls) =>
      classBits(extra, cls) ? chmodClause(cls, '-', classBits(extra, cls), false) : '',
    ).filter(Boolean);
    return { message, fix: chmod(clauses.join(','), target(c), c.entries > 1) };
  },
};
