import { grants } from '../access/permission.js';
import type { Inode } from '../access/types.js';
import { EXECUTE } from '../mode/bits.js';
import type { CompiledPolicy, DirectoryPolicy, EntryPolicy } from '../policy/compile.js';
import type { AccessLevel } from '../policy/schema.js';
import { RULES, ENTRY_RULES } from '../rules/index.js';
import { severityOf } from '../rules/rule.js';
import { traverseCandidate, type TraverseBlock } from '../rules/traverse-denied.js';
import { walkErrorCandidate } from '../rules/walk-error.js';
import type { WalkEntry, WalkVisitor } from '../walk/walker.js';
import { DirAggregate } from './aggregate.js';
import type { AuditSettings, Candidate, EntryFacts } from './types.js';

/** Counts what one blocking directory hides from one subject. */
export class Blocked {
  needs = 0;
  constructor(
    readonly subject: number,
    readonly rel: string,
    readonly block: TraverseBlock,
    readonly raw?: Uint8Array,
  ) {}
}

export interface Frame {
  rel: string;
  parent: Frame | undefined;
  /** Policy state for the entries inside. */
  policy: DirectoryPolicy;
  /** Per subject: may it reach the entries inside (search on this directory and all above)? */
  searchable: Uint8Array;
  /** Per subject: the block that hides the entries inside, if any. */
  blockers: (Blocked | undefined)[];
  /** Blocks that start at this directory. */
  blocks: Blocked[] | undefined;
  aggregate: ChildSink;
}

/** Where a directory's children report: its aggregate, or a job's capture of its summary. */
export interface ChildSink {
  addChild(candidates: readonly Candidate[], isDirectory: boolean): void;
  finish(): Candidate[];
}

/**
 * What a worker needs to know of the directory above the subtree it audits: plain data that
 * crosses threads. The subtree's results are then applied to the real parent frame.
 */
export interface ParentContext {
  rel: string;
  searchable: number[];
  /** Per subject: 1 when a directory at or above the parent hides what is below from it. */
  blockedAbove: number[];
}

export function parentContext(frame: Frame): ParentContext {
  return { rel: frame.rel, searchable: [...frame.searchable], blockedAbove: frame.blockers.map((b) => (b ? 1 : 0)) };
}

export interface EngineInput {
  settings: AuditSettings;
  policy: CompiledPolicy;
  /** Per subject: the ancestor of the root that denies it search, if any. */
  ancestorBlocks: readonly (TraverseBlock | undefined)[];
  emit(candidate: Candidate): void;
}

const NONE: readonly Candidate[] = [];

function needs(level: AccessLevel | undefined): boolean {
  return level === 'read' || level === 'write';
}

/**
 * The audit as a walk visitor: per directory, the policy state and each subject's reach are
 * computed once and handed down; per entry, the rules run over plain facts. Pure but for emit().
 */
export class AuditEngine implements WalkVisitor<Frame> {
  private readonly facts: EntryFacts;
  private readonly scratch: Candidate[] = [];
  private readonly subjectCount: number;

  constructor(private readonly input: EngineInput) {
    this.subjectCount = input.settings.subjects.length;
    this.facts = {
      rel: '',
      raw: undefined,
      inode: { type: 'unknown', mode: 0, uid: 0, gid: 0 },
      isDir: false,
      policy: input.policy.rootPolicy(),
      reachable: new Uint8Array(this.subjectCount),
      granted: new Uint8Array(this.subjectCount),
    };
  }

  /**
   * A stand-in for the parent of a subtree audited apart (in a worker): it counts what blocked
   * subjects need and captures the summary the subtree passes up, instead of aggregating.
   */
  detachedParent(context: ParentContext, sink: ChildSink): Frame {
    const block: TraverseBlock = {
      blocker: context.rel,
      inode: { type: 'directory', mode: 0, uid: -1, gid: -1 },
      ancestor: false,
      listsIt: false,
    };
    return {
      rel: context.rel,
      parent: undefined,
      policy: this.input.policy.stateInside(context.rel),
      searchable: Uint8Array.from(context.searchable),
      blockers: context.blockedAbove.map((blocked, s) => (blocked ? new Blocked(s, context.rel, block) : undefined)),
      blocks: undefined,
      aggregate: sink,
    };
  }

  skip(rel: string, parent: Frame): boolean {
    return this.input.policy.skipped(parent.policy, rel);
  }

  enter(dir: WalkEntry, parent: Frame | undefined): Frame {
    const policy = parent ? this.input.policy.policyFor(parent.policy, dir.rel) : this.input.policy.rootPolicy();
    const own = this.examine(dir, true, policy, parent, this.input.policy.reported(parent?.policy, dir.rel));
    const searchable = new Uint8Array(this.subjectCount);
    const blockers = parent ? parent.blockers.slice() : new Array<Blocked | undefined>(this.subjectCount).fill(undefined);
    let blocks: Blocked[] | undefined;
    for (let s = 0; s < this.subjectCount; s++) {
      const reachable = this.facts.reachable[s] === 1;
      const enters = (this.facts.granted[s]! & EXECUTE) !== 0;
      searchable[s] = reachable && enters ? 1 : 0;
      const ancestor = parent ? undefined : this.input.ancestorBlocks[s];
      if (ancestor || (reachable && !enters)) {
        const block = ancestor ?? { blocker: dir.rel, inode: toInode(dir), ancestor: false, listsIt: needs(policy.levels[s]) };
        const blocked = new Blocked(s, dir.rel, block, dir.raw?.rel);
        blocked.needs = needs(policy.levels[s]) && this.input.policy.reported(parent?.policy, dir.rel) ? 1 : 0;
        blockers[s] = blocked;
        (blocks ??= []).push(blocked);
      }
    }
    return {
      rel: dir.rel,
      parent,
      policy: parent ? this.input.policy.inside(dir.rel, parent.policy) : this.input.policy.root(),
      searchable,
      blockers,
      blocks,
      aggregate: new DirAggregate(own, this.input.emit),
    };
  }

  entry(entry: WalkEntry, parent: Frame): void {
    const candidates = this.examine(
      entry,
      false,
      this.input.policy.policyFor(parent.policy, entry.rel),
      parent,
      this.input.policy.reported(parent.policy, entry.rel),
    );
    parent.aggregate.addChild(candidates, false);
  }

  leave(frame: Frame): void {
    this.finishDirectory(frame);
    const summary = frame.aggregate.finish();
    if (frame.parent) frame.parent.aggregate.addChild(summary, true);
    else for (const candidate of summary) this.input.emit(candidate);
  }

  /** A directory is complete: the traverse-denied findings of the blocks it starts. */
  private finishDirectory(frame: Frame): void {
    if (frame.blocks) {
      const severity = severityOf(RULES['traverse-denied'], this.input.settings);
      for (const blocked of frame.blocks) {
        if (severity && blocked.needs > 0)
          this.input.emit(traverseCandidate(severity, blocked.subject, blocked.rel, blocked.block, blocked.needs, blocked.raw));
      }
    }
  }

  error(rel: string, path: string, error: NodeJS.ErrnoException, frame: Frame | undefined): void {
    const severity = severityOf(RULES['walk-error'], this.input.settings);
    const candidate = severity
      ? walkErrorCandidate(severity, rel, { message: walkErrorMessage(rel, path, error), code: error.code })
      : undefined;
    // What could not be read cannot be vouched for: it breaks its directory's uniformity.
    if (frame) frame.aggregate.addChild(candidate ? [candidate] : NONE, false);
    else if (candidate) this.input.emit(candidate);
  }

  /** The rules over one entry; an entry outside --only still gives its reach to what is below. */
  private examine(
    entry: WalkEntry,
    isDir: boolean,
    policy: EntryPolicy,
    parent: Frame | undefined,
    reported: boolean,
  ): readonly Candidate[] {
    const { facts, subjectCount } = this;
    const subjects = this.input.settings.subjects;
    const inode: Inode = entry;
    facts.rel = entry.rel;
    facts.raw = entry.raw?.rel;
    facts.inode = inode;
    facts.isDir = isDir;
    facts.policy = policy;
    for (let s = 0; s < subjectCount; s++) {
      const reachable = parent ? parent.searchable[s]! : this.input.ancestorBlocks[s] ? 0 : 1;
      facts.reachable[s] = reachable;
      facts.granted[s] = grants(inode, subjects[s]!.principal);
      if (reported && !reachable && parent && needs(policy.levels[s])) {
        const blocked = parent.blockers[s];
        if (blocked) blocked.needs++;
      }
    }
    if (!reported) return NONE;
    const out = this.scratch;
    for (const rule of ENTRY_RULES) rule.check!(facts, this.input.settings, out);
    if (out.length === 0) return NONE;
    const found = out.slice();
    out.length = 0;
    return found;
  }
}

function toInode(entry: WalkEntry): Inode {
  return { type: entry.type, mode: entry.mode, uid: entry.uid, gid: entry.gid };
}

function walkErrorMessage(rel: string, path: string, error: NodeJS.ErrnoException): string {
  // The walk's own words for a tree that changed under it already name the entry and what happened.
  if (error.code === 'ERACE') return error.message;
  const why: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENAMETOOLONG: 'the path is longer than the system allows',
    ELOOP: 'too many levels of symbolic links',
    ENOTDIR: 'it stopped being a directory during the walk',
    EIO: 'input/output error',
  };
  const reason = (error.code && why[error.code]) ?? error.message;
  return `cannot read ${rel === '.' ? path : rel}: ${reason}${error.code ? ` (${error.code})` : ''}`;
}
