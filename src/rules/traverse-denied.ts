import { classReason, describeInode, missingBits } from '../access/describe.js';
import { accessClass } from '../access/permission.js';
import type { Inode } from '../access/types.js';
import type { Candidate } from '../audit/types.js';
import { EXECUTE, READ } from '../mode/bits.js';
import { grantFix } from './grant.js';
import { candidateKey, target, type Rule } from './rule.js';

/** Where the block is: a directory in the tree, or an ancestor of the audited root. */
export interface TraverseBlock {
  /** As shown: relative to the root, or absolute for an ancestor. */
  blocker: string;
  inode: Inode;
  ancestor: boolean;
  /** Whether the policy wants the role to list the blocking directory itself. */
  listsIt: boolean;
}

export function traverseCandidate(
  severity: Candidate['severity'],
  subject: number,
  rel: string,
  block: TraverseBlock,
  entries: number,
  raw?: Uint8Array,
): Candidate {
  return {
    rule: 'traverse-denied',
    severity,
    key: candidateKey('traverse-denied', severity, subject),
    rel,
    inode: block.inode,
    subject,
    detail: 0,
    entries,
    extra: block,
    ...(raw ? { raw } : {}),
  };
}

export const traverseDenied: Rule = {
  id: 'traverse-denied',
  title: 'A directory on the way denies search to a role',
  defaultSeverity: 'error',
  summary: 'a role cannot enter a directory, so every entry below it is out of its reach whatever their own modes',
  scope: 'entry',
  // Raised once per blocking directory by the engine, with the count of what it hides.
  aggregate: false,
  describe(c, { settings, names }) {
    const subject = settings.subjects[c.subject]!;
    const block = c.extra as TraverseBlock;
    const cls = accessClass(block.inode, subject.principal);
    const why = cls === 'root' ? '' : `: ${classReason(subject.name, cls, block.inode, names)}, ${missingBits(cls, EXECUTE)}`;
    const below = c.entries - (block.listsIt ? 1 : 0);
    const count = `${below.toLocaleString('en-US')} ${below === 1 ? 'entry' : 'entries'}`;
    const hidden = block.ancestor
      ? `${subject.name} cannot reach the audited directory: ${c.entries.toLocaleString('en-US')} entries in it that ${subject.name} needs are out of reach`
      : `${subject.name} needs ${block.listsIt ? `${block.blocker} itself and ` : ''}${count} below it`;
    const message = `${subject.name} cannot enter ${block.blocker} (${describeInode(block.inode, names)})${why}; ${hidden}`;
    return {
      message,
      fix: grantFix(
        subject,
        block.inode,
        block.ancestor ? block.blocker : target(c),
        block.listsIt ? READ | EXECUTE : EXECUTE,
        false,
        names,
        settings.sharedGid,
      ),
    };
  },
};
