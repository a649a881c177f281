import { describeInode } from '../access/describe.js';
import { SETGID, SETUID } from '../mode/bits.js';
import { candidate, severityOf, type Rule } from './rule.js';

export const specialBit: Rule = {
  id: 'special-bit',
  title: 'setuid or setgid on a regular file',
  defaultSeverity: 'error',
  summary: "a setuid/setgid file runs with its owner's or group's rights: in a web tree it is almost never intended, and a way up",
  scope: 'entry',
  aggregate: true,
  check(entry, settings, out) {
    if (entry.inode.type !== 'file' || !(entry.inode.mode & (SETUID | SETGID))) return;
    const severity = severityOf(this, settings);
    if (severity) out.push(candidate('special-bit', severity, entry, -1, entry.inode.mode & (SETUID | SETGID)));
  },
  describe(c, { names }) {
    const bits = [c.detail & SETUID ? 'setuid' : '', c.detail & SETGID ? 'setgid' : ''].filter(Boolean).join(' and ');
    return {
      message: `${c.rel} (${describeInode(c.inode, names)}) has ${bits}: it runs with the rights of its ${c.detail & SETUID ? 'owner' : 'group'}`,
    };
  },
};
