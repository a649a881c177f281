import { describeInode } from '../access/describe.js';
import { STICKY } from '../mode/bits.js';
import type { Candidate } from './contract.js';
import { candidate, severityOf, type Rule } from './rule.js';

/** Whether the world-writable entry is a sticky directory (/tmp style). */
export interface WorldWritableDetail {
  sticky: boolean;
}

const STICKY_DIRECTORY = 1;

export const worldWritableDetail = {
  encode: (detail: WorldWritableDetail): number => (detail.sticky ? STICKY_DIRECTORY : 0),
  decode: (c: Candidate): WorldWritableDetail => ({ sticky: (c.detail & STICKY_DIRECTORY) !== 0 }),
};

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
    if (!severity) return;
    const detail = worldWritableDetail.encode({ sticky });
    // Both cases may have one severity (configured): their key still tells them apart.
    out.push(candidate('world-writable', severity, entry, -1, detail, undefined, detail));
  },
  describe(c, { names }) {
    const what = worldWritableDetail.decode(c).sticky
      ? 'is a world-writable directory with the sticky bit: any local user can create files in it (only owners may delete them)'
      : c.inode.type === 'directory'
        ? 'is a world-writable directory without the sticky bit: any local user can delete or replace what others made in it'
        : 'is writable by any local user';
    return { message: `${c.rel} (${describeInode(c.inode, names)}) ${what}` };
  },
};
