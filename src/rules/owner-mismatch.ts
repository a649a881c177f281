import { describeInode } from '../access/describe.js';
import type { Candidate } from './contract.js';
import { candidate, severityOf, type Rule } from './rule.js';

/** The owner and the group the policy states, where the entry has another. */
export interface Wanted {
  owner?: string;
  group?: string;
}

/** An owner-mismatch candidate's payload: what the policy wants, by name. */
export interface OwnerPayload {
  rule: 'owner-mismatch';
  wanted: Wanted;
}

const WRONG_OWNER = 1;
const WRONG_GROUP = 2;

export const ownerPayload = {
  encode: (wanted: Wanted): OwnerPayload => ({ rule: 'owner-mismatch', wanted }),
  decode(c: Candidate): Wanted {
    if (c.extra?.rule !== 'owner-mismatch') throw new Error(`an owner-mismatch candidate for ${c.rel} carries no wanted owner`);
    return c.extra.wanted;
  },
  /** Which of the two differ, as the candidate's detail and key: a wrong owner is not folded with a wrong group. */
  detail: (wanted: Wanted): number => (wanted.owner !== undefined ? WRONG_OWNER : 0) | (wanted.group !== undefined ? WRONG_GROUP : 0),
};

export const ownerMismatch: Rule = {
  id: 'owner-mismatch',
  title: 'Owner or group differs from what the policy states',
  defaultSeverity: 'warning',
  summary: 'an entry belongs to another user or group than the policy says, so the modes grant access to the wrong people',
  scope: 'entry',
  aggregate: true,
  check(entry, settings, out) {
    const { owner, group } = entry.policy;
    if ((!owner && !group) || entry.inode.type === 'symlink') return;
    const wrongOwner = owner !== undefined && owner.uid !== entry.inode.uid;
    const wrongGroup = group !== undefined && group.gid !== entry.inode.gid;
    if (!wrongOwner && !wrongGroup) return;
    const severity = severityOf(this, settings);
    const wanted: Wanted = { ...(wrongOwner ? { owner: owner.label } : {}), ...(wrongGroup ? { group: group.label } : {}) };
    if (!severity) return;
    const detail = ownerPayload.detail(wanted);
    out.push(candidate('owner-mismatch', severity, entry, -1, detail, ownerPayload.encode(wanted), detail));
  },
  describe(c, { names }) {
    const wanted = ownerPayload.decode(c);
    const parts = [wanted.owner ? `owner ${wanted.owner}` : '', wanted.group ? `group ${wanted.group}` : ''].filter(Boolean).join(' and ');
    const message = `${c.rel} (${describeInode(c.inode, names)}) should have ${parts}`;
    return { message };
  },
};
