import { describeInode } from '../access/describe.js';
import { candidate, severityOf, type Rule } from './rule.js';

interface Wanted {
  owner?: string;
  group?: string;
}

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
    if (severity) out.push(candidate('owner-mismatch', severity, entry, -1, (wrongOwner ? 1 : 0) | (wrongGroup ? 2 : 0), wanted));
  },
  describe(c, { names }) {
    const wanted = c.extra as Wanted;
    const parts = [wanted.owner ? `owner ${wanted.owner}` : '', wanted.group ? `group ${wanted.group}` : ''].filter(Boolean).join(' and ');
    const message = `${c.rel} (${describeInode(c.inode, names)}) should have ${parts}`;
    return { message };
  },
};
