import { describeInode } from '../access/describe.js';
import { STICKY } from '../mode/bits.js';
import { candidate, severityOf, type Rule } from './rule.js';

export const worldWritable: Rule = {
  id: 'world-writable',
  title: 'Writable by any local user',
  defaultSeverity: 'error',
  summary: 'any local user (another tenant, any compromised service) can change it, or in a directory delete and replace what others made',
  scope: 'entry',
  aggregate: true,
  check(entry, settings, out) {
    if (entry.inode.type === 'symlink' || !(entry.inode.mode & 0o002)) return;
    // A sticky world-writable directory (/tmp style) lets anyone add files but not remove others'.
    const sticky = entry.isDir && (entry.inode.mode & STICKY) !== 0;
    const severity = severityOf(this, settings, sticky ? 'warning' : undefined);
    if (severity) out.push(candidate('world-writable', severity, entry, -1, sticky ? 1 : 0));
  },
  describe(c, { names }) {
    const what = c.detail
      ? 'is a world-writable directory with the sticky bit: any local user can create files in it (only owners may delete them)'
      : c.inode.type === 'directory'
        ? 'is a world-writable directory without the sticky bit: any local user can delete or replace what others made in it'
        : 'is writable by any local user';
    return { message: `${c.rel} (${describeInode(c.inode, names)}) ${what}` };
  },
};
