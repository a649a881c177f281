import { grouped } from '../text/grouped.js';
import { denialReason, describeInode } from '../access/describe.js';
import { accessClass } from '../access/permission.js';
import type { Inode } from '../access/types.js';
import { shellQuote } from '../fix/shell.js';
import { UNSAFE_PATH } from './unsafe-path.js';
import { EXECUTE } from '../mode/bits.js';
import type { Candidate } from './contract.js';
import { candidateKey, type Rule } from './rule.js';

/** Where the block is: a directory in the tree, or an ancestor of the audited root. */
export interface TraverseBlock {
  /** As shown: relative to the root, or absolute for an ancestor. */
  blocker: string;
  inode: Inode;
  ancestor: boolean;
  /** Whether the policy wants the role to list the blocking directory itself. */
  listsIt: boolean;
}

/** A traverse-denied candidate's payload: where the block is. */
export interface TraversePayload {
  rule: 'traverse-denied';
  block: TraverseBlock;
}

export const traversePayload = {
  encode: (block: TraverseBlock): TraversePayload => ({ rule: 'traverse-denied', block }),
  decode(c: Candidate): TraverseBlock {
    if (c.extra?.rule !== 'traverse-denied') throw new Error(`a traverse-denied candidate for ${c.rel} carries no block`);
    return c.extra.block;
  },
};

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
    extra: traversePayload.encode(block),
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
    const block = traversePayload.decode(c);
    const why = subject.principal.uid === 0 ? '' : `: ${denialReason(subject.name, block.inode, subject.principal, EXECUTE, names)}`;
    const below = c.entries - (block.listsIt ? 1 : 0);
    const count = `${grouped(below)} ${below === 1 ? 'entry' : 'entries'}`;
    const hidden = block.ancestor
      ? `${subject.name} cannot reach the audited directory: ${grouped(c.entries)} entries in it that ${subject.name} needs are out of reach`
      : `${subject.name} needs ${block.listsIt ? `${block.blocker} itself${below > 0 ? ' and ' : ''}` : ''}${below > 0 || !block.listsIt ? `${count} below it` : ''}`;
    const message = `${subject.name} cannot enter ${block.blocker} (${describeInode(block.inode, names)})${why}; ${hidden}`;
    if (!block.ancestor) return { message };
    // Above the audited tree the plan changes nothing (and permcheck fix never does): say what would.
    const cls = accessClass(block.inode, subject.principal);
    const clause = cls === 'owner' ? 'u+x' : cls === 'group' ? 'g+x' : 'o+x';
    return {
      message,
      advice: c.adviceUnsafe
        ? `a directory above the audited one: give ${clause} to ${block.blocker}, if ${subject.name} should reach it that way (${UNSAFE_PATH})`
        : `a directory above the audited one: chmod -- ${clause} ${shellQuote(block.blocker)}, if ${subject.name} should reach it that way`,
    };
  },
};
