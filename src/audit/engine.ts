import { grants } from '../access/permission.js';
import type { Inode } from '../access/types.js';
import { untrustedWriters } from '../access/writers.js';
import {
  addChanged,
  addEntry,
  addSubtree,
  describeSubtree,
  emptySummary,
  type ChangedEntries,
  type Description,
  type SubtreeSummary,
  targetOf,
} from '../change/subtree.js';
import { EXECUTE } from '../mode/bits.js';
import type { EntryPlan } from '../plan/entry.js';
import { PlanMemo } from '../plan/memo.js';
import { planOpens } from '../plan/opens.js';
import { applyChange, type Change } from '../change/change.js';
import { ends } from '../plan/verify.js';
import type { CompiledPolicy, DirectoryPolicy, EntryPolicy } from '../policy/compile.js';
import type { AccessLevel } from '../policy/schema.js';
import { RULES, ENTRY_RULES } from '../rules/index.js';
import { severityOf } from '../rules/rule.js';
import { noSecretCandidate } from '../rules/secret-exposed.js';
import type { SecretContent } from '../secret/content.js';
import type { SecretReader } from '../secret/read.js';
import { traverseCandidate, traversePayload, type TraverseBlock } from '../rules/traverse-denied.js';
import { walkErrorCandidate } from '../rules/walk-error.js';
import type { Name, WalkEntry, WalkVisitor } from '../walk/walker.js';
import { DirAggregate, entryChild, type Child } from './aggregate.js';
import type { AuditSettings, Candidate, EntryFacts } from '../rules/contract.js';

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
  /** The directory itself (undefined for a worker's stand-in parent) and its own policy. */
  dir: WalkEntry | undefined;
  ownPolicy: EntryPolicy | undefined;
  /** Its own findings, planned when it is left. */
  own: readonly Candidate[];
  /** It has no finding of its own, but would have one for a role that cannot reach it yet. */
  ownLatent: boolean;
  /** Within --only: its own changes may be applied. */
  reported: boolean;
  plan: FramePlan;
}

/** What the plan gathers in a directory while its children are walked. */
export interface FramePlan {
  summary: SubtreeSummary;
  /** The planned changes of the non-directories inside; undefined once there are too many kinds to say. */
  steps: ChangedEntries | undefined;
  children: (Description | undefined)[];
  /** Per subject: something inside needs it (a level), so this directory must let it search. */
  needsBelow: Uint8Array;
  /**
   * No one but trusted users can change this directory or any above it (nor replace the root): commands
   * naming what it holds, and recursive commands at it, are safe to paste.
   */
  chainSafe: boolean;
  /** Its own path is safe to name: the same of the directories above it. */
  selfSafe: boolean;
  /** Its default ACL: what is created inside comes from it, not from a umask. */
  defaultAcl: boolean;
}

/** What a finished directory hands its parent's plan: plain data, it crosses threads. */
export interface PlannedSubtree {
  summary: SubtreeSummary;
  needsBelow: number[];
}

/** Where a directory's children report: its aggregate, or a job's capture of its summary. */
export interface ChildSink {
  /** Keys the directory or one above it has: what may wait below it to be folded. */
  readonly foldable: ReadonlySet<number>;
  addChild(child: Child): void;
  /** A finding of the directory itself raised when it is complete. */
  hold(candidate: Candidate): void;
  finish(): Child;
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
  chainSafe: boolean;
  defaultAcl: boolean;
  /** Keys the parent or a directory above it has (audit/aggregate.ts). */
  foldable: number[];
}

export function parentContext(frame: Frame): ParentContext {
  return {
    rel: frame.rel,
    searchable: [...frame.searchable],
    blockedAbove: frame.blockers.map((b) => (b ? 1 : 0)),
    chainSafe: frame.plan.chainSafe,
    defaultAcl: frame.plan.defaultAcl,
    foldable: [...frame.aggregate.foldable],
  };
}

export interface EngineInput {
  settings: AuditSettings;
  policy: CompiledPolicy;
  /** Per subject: the ancestor of the root that denies it search, if any. */
  ancestorBlocks: readonly (TraverseBlock | undefined)[];
  emit(candidate: Candidate): void;
  /**
   * Every change the plan makes to an entry in scope (permcheck fix applies them); `pathSafe`: no one
   * untrusted can change a directory on its path, so a command naming it may be printed.
   */
  planned?(entry: WalkEntry, change: Change, pathSafe: boolean): void;
  /**
   * What a file the policy marks secret holds (secret/read.ts): asked only for those few files.
   * Without it, a secret is a secret by its path alone.
   */
  secretContent?: SecretReader;
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
  private readonly trusted: ReadonlySet<number>;
  /** Set by examine(): the entry would have findings for a role that cannot reach it yet. */
  private latent = false;
  /** Each secret policy as it is for a file whose content holds no secret. */
  private readonly notSecret = new WeakMap<EntryPolicy, EntryPolicy>();
  private readonly plans: PlanMemo;

  constructor(private readonly input: EngineInput) {
    this.subjectCount = input.settings.subjects.length;
    this.plans = new PlanMemo(input.settings);
    this.trusted = new Set(input.settings.trustedUids);
    this.facts = {
      rel: '',
      raw: undefined,
      inode: { type: 'unknown', mode: 0, uid: 0, gid: 0 },
      isDir: false,
      policy: input.policy.rootPolicy(),
      reachable: new Uint8Array(this.subjectCount),
      granted: new Uint8Array(this.subjectCount),
      underDefaultAcl: false,
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
      dir: undefined,
      ownPolicy: undefined,
      own: NONE,
      ownLatent: false,
      reported: false,
      plan: this.framePlan(context.chainSafe, context.chainSafe, context.defaultAcl),
    };
  }

  private framePlan(chainSafe: boolean, selfSafe: boolean, defaultAcl: boolean): FramePlan {
    return {
      summary: emptySummary(),
      steps: new Map(),
      children: [],
      needsBelow: new Uint8Array(this.subjectCount),
      chainSafe,
      selfSafe,
      defaultAcl,
    };
  }

  /** Merge what a subtree audited apart (a worker's job) handed its stand-in parent into the real parent. */
  adopt(frame: Frame, planned: PlannedSubtree, description: Description | undefined, entered: boolean): void {
    // A subtree that could not be entered (it changed before the worker opened it) adds no entries,
    // but its summary still says the parent is not whole: no recursive command may reach over it.
    addSubtree(frame.plan.summary, planned.summary);
    if (!entered) return;
    frame.plan.children.push(description);
    planned.needsBelow.forEach((needed, s) => {
      if (needed) frame.plan.needsBelow[s] = 1;
    });
  }

  /** What a worker's stand-in parent gathered from the one subtree below it. */
  static handedUp(frame: Frame): { planned: PlannedSubtree; description: Description | undefined; entered: boolean } {
    return {
      planned: { summary: frame.plan.summary, needsBelow: [...frame.plan.needsBelow] },
      description: frame.plan.children[0],
      entered: frame.plan.children.length > 0,
    };
  }

  skip(rel: string, parent: Frame): boolean {
    const skipped = this.input.policy.skipped(parent.policy, rel);
    if (skipped) this.leftOut(parent);
    return skipped;
  }

  /**
   * The walk left an entry of the directory out (--ignore, the config's or the preset's ignore list,
   * outside --only): its subtree's summary does not cover it, so no recursive command at the directory
   * or above may be printed; `chmod -R` would change what the user said to leave alone. What is below
   * it that the walk did see is still fixed, entry by entry or by recursive commands at its own
   * subdirectories. The planner (walk/plan.ts) calls this for the directories it lists.
   */
  leftOut(frame: Frame): void {
    frame.plan.summary.untouchable = true;
  }

  enter(dir: WalkEntry, parent: Frame | undefined): Frame {
    const policy = parent ? this.input.policy.policyFor(parent.policy, dir.rel) : this.input.policy.rootPolicy();
    const own = this.examine(dir, true, policy, parent, this.input.policy.reported(parent?.policy, dir.rel));
    const ownLatent = this.latent;
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
    // A recursive command inside is safe only while nobody but trusted users can change a directory on
    // the way: one who can could swap what the command walks into for a symlink. That holds after the
    // plan too: where it gives an untrusted role write (the web user, uploads/), the commands that open
    // the directory may run before those below it (pasted in any order, or chmod -R then find -exec).
    // Asked only where the way above is safe: below an unsafe directory nothing is, whatever this one's plan.
    const trusted = this.trusted;
    const above = parent ? parent.plan.chainSafe : this.input.settings.rootSafe;
    const chainSafe =
      above &&
      (this.input.settings.raceFree ||
        (untrustedWriters(dir, trusted).length === 0 &&
          !planOpens(dir, policy, this.input.settings.subjects, trusted, this.plans, parent?.plan.defaultAcl ?? false)));
    // Its advice may name commands on it and below it (setfacl -R): only where no one untrusted can swap them.
    if (!chainSafe) for (const candidate of own) candidate.adviceUnsafe = true;
    return {
      rel: dir.rel,
      parent,
      policy: parent ? this.input.policy.inside(dir.rel, parent.policy) : this.input.policy.root(),
      searchable,
      blockers,
      blocks,
      aggregate: new DirAggregate(dir.rel, own, this.input.emit, parent?.aggregate.foldable),
      dir,
      ownPolicy: policy,
      own,
      ownLatent,
      reported: this.input.policy.reported(parent?.policy, dir.rel),
      plan: this.framePlan(chainSafe, above, dir.defaultAcl !== undefined),
    };
  }

  entry(entry: WalkEntry, parent: Frame, dirFd?: number, name?: Name): void {
    let policy = this.input.policy.policyFor(parent.policy, entry.rel);
    const reported = this.input.policy.reported(parent.policy, entry.rel);
    let content: SecretContent | undefined;
    if (policy.secret && entry.type === 'file' && reported && this.input.secretContent) {
      content = this.input.secretContent(entry, dirFd, name);
      // A file that holds no credential is judged as the policy's other entries say: neither the
      // secret nor the "others: none" that comes with it apply (Debian's wp-config.php stub).
      if (content.kind === 'none') policy = this.withoutSecret(policy);
    }
    this.facts.secretContent = content;
    let candidates = this.examine(entry, false, policy, parent, reported);
    this.facts.secretContent = undefined;
    let plan: EntryPlan | undefined;
    if (candidates.length > 0 || this.latent) {
      plan = this.plans.plan(entry, false, policy, [], entry.nlink, parent.plan.defaultAcl);
      const planned = plan.change && applyChange(entry, plan.change);
      let ends = this.latent;
      for (const candidate of candidates) {
        if (planned && this.endedBy(candidate, planned, false, policy, parent.plan.defaultAcl)) {
          attach(candidate, plan, parent.plan.chainSafe);
          ends = true;
        } else if (plan.noFix) candidate.noFix = plan.noFix;
      }
      plan = ends ? plan : withoutChange(plan);
      if (plan.change) this.input.planned?.(entry, plan.change, parent.plan.chainSafe);
    }
    // Said where a secret finding would have been, after planning: there is nothing to fix about it.
    const note = content?.kind === 'none' ? noSecretCandidate(this.facts, this.input.settings, content.includes) : undefined;
    if (note) candidates = [...candidates, note];
    addEntry(parent.plan.summary, entry, plan?.change, plan?.untouchable === true);
    if (plan?.change && parent.plan.steps) {
      const step = {
        kind: 'entry',
        rel: entry.rel,
        raw: entry.raw?.rel,
        isDir: false,
        current: entry,
        target: targetOf(entry, plan.change),
      } as const;
      parent.plan.steps = addChanged(parent.plan.steps, step);
    }
    markNeeds(parent.plan.needsBelow, policy.levels);
    // No rule judges a symlink by its own mode: one without findings must not break what its siblings
    // share (Debian's WordPress has 24 links into /etc and /var/lib).
    if (entry.type === 'symlink' && candidates.length === 0) return;
    parent.aggregate.addChild(entryChild(entry.rel, candidates));
  }

  private withoutSecret(policy: EntryPolicy): EntryPolicy {
    let plain = this.notSecret.get(policy);
    if (!plain) {
      const others = this.subjectCount - 1;
      const levels = policy.levels.map((level, s) => (s === others && level === 'none' ? undefined : level));
      plain = { ...policy, secret: false, levels };
      this.notSecret.set(policy, plain);
    }
    return plain;
  }

  /** Whether the planned state of the entry ends the candidate's finding: then the plan is its fix. */
  private endedBy(candidate: Candidate, planned: Inode, isDir: boolean, policy: EntryPolicy, underDefaultAcl: boolean): boolean {
    return ends(planned, isDir, policy, this.input.settings, underDefaultAcl, candidate);
  }

  leave(frame: Frame): void {
    const dir = frame.dir!;
    const traverse = this.finishDirectory(frame);
    // Planned now that what is below it is known: which roles it must let search, and its subtree.
    const searchNeeded: number[] = [];
    frame.plan.needsBelow.forEach((needed, s) => {
      if (needed) searchNeeded.push(s);
    });
    const lacksSearch = searchNeeded.some((s) => !(grants(dir, this.input.settings.subjects[s]!.principal) & EXECUTE));
    // A block above the audited root is not in the tree: nothing here ends it (its advice says what would).
    const inTree = traverse.filter((candidate) => !traversePayload.decode(candidate).ancestor);
    let plan: EntryPlan | undefined;
    let planned: Inode | undefined;
    const ended = new Set<Candidate>();
    const underDefaultAcl = frame.parent?.plan.defaultAcl ?? false;
    const endedBy = (candidate: Candidate, state: Inode) => this.endedBy(candidate, state, true, frame.ownPolicy!, underDefaultAcl);
    if (frame.own.length > 0 || traverse.length > 0 || frame.ownLatent || lacksSearch) {
      plan = this.plans.plan(dir, true, frame.ownPolicy!, searchNeeded, dir.nlink, underDefaultAcl);
      // Without a change nothing is ended: no rule runs again (findings-heavy trees have many of those).
      planned = plan.change && applyChange(dir, plan.change);
      if (planned) for (const candidate of frame.own) if (endedBy(candidate, planned)) ended.add(candidate);
      // A change that ends none of its findings is not made (nor printed in a subtree's commands): the
      // plan may want more than the findings do (a default ACL entry for every role). Search that
      // something below needs is part of ending the block above it, reported or not yet.
      if (!frame.ownLatent && !lacksSearch && inTree.length === 0 && ended.size === 0) {
        plan = withoutChange(plan);
        planned = undefined;
      }
      if (plan.change && frame.reported) this.input.planned?.(dir, plan.change, frame.plan.selfSafe);
    }
    addEntry(frame.plan.summary, dir, plan?.change, false);
    const description = describeSubtree(
      frame.plan.summary,
      { rel: dir.rel, raw: dir.raw?.rel, current: dir, change: plan?.change },
      frame.plan.children,
      frame.plan.steps ?? new Map(),
      { self: frame.plan.selfSafe, inside: frame.plan.chainSafe },
    );
    const subtree = frame.plan.steps === undefined ? undefined : description;
    const endedHere = (candidate: Candidate) => ended.has(candidate) || (planned !== undefined && endedBy(candidate, planned));
    for (const candidate of frame.own) {
      if (ended.has(candidate)) attach(candidate, plan, frame.plan.selfSafe);
      else if (plan?.noFix) candidate.noFix = plan.noFix;
    }
    // What a blocking directory hides is fixed with it: its own change and what is below it.
    for (const candidate of inTree) {
      attach(candidate, plan, frame.plan.selfSafe);
      candidate.description = subtree ?? null;
    }
    for (const candidate of traverse) frame.aggregate.hold(candidate);
    const passed = frame.aggregate.finish();
    // A subtree's commands stand under a finding they end (checked at its top entry), not under one
    // that only shares the subtree with others (a mode stricter than the umask gives). They bring every
    // entry to its planned state, the exceptions too: a recursive clause is one every planned state agrees with.
    for (const { held } of passed.shares) {
      const top = held.length === 1 && held[0]!.rel === dir.rel ? held[0]! : undefined;
      if (top && top.entries > 1 && endedHere(top)) top.description = subtree ?? null;
    }
    if (!frame.parent) {
      for (const share of passed.shares) for (const candidate of share.held) this.input.emit(candidate);
      return;
    }
    const parentPlan = frame.parent.plan;
    addSubtree(parentPlan.summary, frame.plan.summary);
    parentPlan.children.push(subtree);
    frame.plan.needsBelow.forEach((needed, s) => {
      if (needed) parentPlan.needsBelow[s] = 1;
    });
    markNeeds(parentPlan.needsBelow, frame.ownPolicy!.levels);
    frame.parent.aggregate.addChild(passed);
  }

  /** A directory is complete: the traverse-denied findings of the blocks it starts. */
  private finishDirectory(frame: Frame): Candidate[] {
    const out: Candidate[] = [];
    if (frame.blocks) {
      const severity = severityOf(RULES['traverse-denied'], this.input.settings);
      for (const blocked of frame.blocks) {
        if (severity && blocked.needs > 0) {
          const candidate = traverseCandidate(severity, blocked.subject, blocked.rel, blocked.block, blocked.needs, blocked.raw);
          // Its advice chmods a directory above the root: a command only where no one untrusted can swap it.
          if (blocked.block.ancestor && !this.input.settings.rootSafe) candidate.adviceUnsafe = true;
          out.push(candidate);
        }
      }
    }
    return out;
  }

  error(rel: string, path: string, error: NodeJS.ErrnoException, frame: Frame | undefined): void {
    const severity = severityOf(RULES['walk-error'], this.input.settings);
    const candidate = severity
      ? walkErrorCandidate(severity, rel, { message: walkErrorMessage(rel, path, error), code: error.code })
      : undefined;
    // What could not be read cannot be vouched for: it breaks its directory's uniformity, and no
    // recursive command may reach into it (as root it would change what this audit never saw).
    if (frame) {
      frame.aggregate.addChild(entryChild(rel, candidate ? [candidate] : NONE, true));
      this.leftOut(frame);
    } else if (candidate) this.input.emit(candidate);
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
    this.latent = false;
    if (!reported) return NONE;
    facts.underDefaultAcl = parent?.plan.defaultAcl ?? false;
    const out = this.scratch;
    for (const rule of ENTRY_RULES) rule.check!(facts, this.input.settings, out);
    const found = out.length === 0 ? NONE : out.slice();
    out.length = 0;
    // Below a directory that keeps a role out, what that role would find once let in is planned too,
    // so the fix that lets it in does not bring new findings.
    if (parent && parent.blockers.some((blocked) => blocked !== undefined)) {
      const reach = facts.reachable.slice();
      for (let s = 0; s < subjectCount; s++) if (!facts.reachable[s] && parent.blockers[s]) facts.reachable[s] = 1;
      for (const rule of ENTRY_RULES) rule.check!(facts, this.input.settings, out);
      this.latent = out.length > found.length;
      out.length = 0;
      // What the caller reads next (a directory's reach) is the real one.
      facts.reachable.set(reach);
    }
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

/** The plan without its change, which ends none of the entry's findings (its noFix stays). */
function withoutChange(plan: EntryPlan): EntryPlan {
  if (!plan.change) return plan;
  const { change: _dropped, ...rest } = plan;
  return rest;
}

/** The plan's change becomes the candidate's fix; pasted as commands only where its path is safe. */
function attach(candidate: Candidate, plan: EntryPlan | undefined, pathSafe: boolean): void {
  if (plan?.change) candidate.change = plan.change;
  if (plan?.change && !pathSafe) candidate.pathUnsafe = true;
  if (plan?.noFix) candidate.noFix = plan.noFix;
}

/** The subjects an entry's policy gives a level: the directories above must let them search. */
function markNeeds(needsBelow: Uint8Array, levels: readonly (AccessLevel | undefined)[]): void {
  for (let s = 0; s < levels.length; s++) if (needs(levels[s])) needsBelow[s] = 1;
}
