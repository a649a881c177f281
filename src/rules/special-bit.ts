import { describeInode } from '../access/describe.js';
import { SETGID, SETUID } from '../mode/bits.js';
import type { Candidate } from './contract.js';
import { candidate, severityOf, type Rule } from './rule.js';

/** Which of the two bits the file has (one or both). */
export interface SpecialBitDetail {
  setuid: boolean;
  setgid: boolean;
}

export const specialBitDetail = {
  encode: (detail: SpecialBitDetail): number => (detail.setuid ? SETUID : 0) | (detail.setgid ? SETGID : 0),
  decode: (c: Candidate): SpecialBitDetail => ({ setuid: (c.detail & SETUID) !== 0, setgid: (c.detail & SETGID) !== 0 }),
};

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
    if (!severity) return;
    const detail = specialBitDetail.encode({ setuid: (entry.inode.mode & SETUID) !== 0, setgid: (entry.inode.mode & SETGID) !== 0 });
    // setuid and setgid files are told apart: a subtree of one is not folded with the other.
    out.push(candidate('special-bit', severity, entry, -1, detail, undefined, detail));
  },
  describe(c, { names }) {
    const { setuid, setgid } = specialBitDetail.decode(c);
    const bits = [setuid ? 'setuid' : '', setgid ? 'setgid' : ''].filter(Boolean).join(' and ');
    return {
      message: `${c.rel} (${describeInode(c.inode, names)}) has ${bits}: it runs with the rights of its ${setuid ? 'owner' : 'group'}`,
    };
  },
};
