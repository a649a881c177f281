import type { PathCreation } from '../predict/model.js';
import { cascadeCreation } from './creation.js';
import type { AccessLevel, PathRuleConfig } from './schema.js';
import { PatternSet, Reach } from './patterns.js';

/** The policy for one entry, after the cascade. Shared by every entry with the same matches. */
export interface EntryPolicy {
  /** Required (and allowed) access per subject index; undefined: the policy says nothing. */
  levels: readonly (AccessLevel | undefined)[];
  secret: boolean;
  owner: { uid: number; label: string } | undefined;
  group: { gid: number; label: string } | undefined;
  /** How code creates entries here (undefined: as each role's own `create` says). */
  create: PathCreation | undefined;
}

/** A policy entry with its role names already turned into subject indexes and owners into ids. */
export interface PolicyRule {
  match: readonly string[];
  levels: readonly (AccessLevel | undefined)[];
  secret: boolean | undefined;
  owner: { uid: number; label: string } | undefined;
  group: { gid: number; label: string } | undefined;
  create?: PathCreation | undefined;
}

/** Per-directory state: how each policy entry and the ignore list reach the entries inside. */
export interface DirectoryPolicy {
  readonly rel: string;
  readonly reach: Uint8Array;
  readonly ignore: Reach;
  /** How --only reaches the entries inside (All without --only). */
  readonly only: Reach;
  /** Set when no entry needs testing: every entry inside shares it. */
  readonly shared: EntryPolicy | undefined;
  /** Bits of the rules that match everything inside. */
  readonly allMask: number;
}

/**
 * Policy entries apply in order; a later entry overrides the levels of the roles it names and
 * keeps the rest (a cascade). Globs are compiled once; which entries can match below a directory
 * is decided once per directory, and resolved policies are memoised by the set of entries that
 * matched, so the per-file cost is a few string tests at most.
 */
export class CompiledPolicy {
  private readonly sets: PatternSet[];
  private readonly ignoreSet: PatternSet;
  private readonly onlySet: PatternSet | undefined;
  private readonly memo = new Map<number | string, EntryPolicy>();
  private readonly wide: boolean;

  constructor(
    private readonly rules: readonly PolicyRule[],
    ignore: readonly string[],
    private readonly subjectCount: number,
    /** --only: report only entries matching these; subtrees that cannot match are not walked. */
    only: readonly string[] = [],
  ) {
    this.sets = rules.map((rule) => new PatternSet(rule.match));
    this.ignoreSet = new PatternSet(ignore);
    this.onlySet = only.length > 0 ? new PatternSet(only) : undefined;
    // Past 31 entries the matched set no longer fits a small integer key.
    this.wide = rules.length > 31;
  }

  /** The policy of the audited directory itself: entries whose globs cover everything ('**'). */
  rootPolicy(): EntryPolicy {
    const matched = this.sets.flatMap((set, i) => (set.reachInside('', Reach.Test) === Reach.All ? [i] : []));
    return cascade(
      matched.map((i) => this.rules[i]!),
      this.subjectCount,
    );
  }

  /** State for the entries directly inside the root. */
  root(): DirectoryPolicy {
    return this.inside('', undefined);
  }

  /** State for the entries inside directory `rel`, given its parent's state. */
  inside(rel: string, parent: DirectoryPolicy | undefined): DirectoryPolicy {
    const reach = new Uint8Array(this.sets.length);
    let allMask = 0;
    let testing = false;
    for (let i = 0; i < this.sets.length; i++) {
      reach[i] = this.sets[i]!.reachInside(rel, parent ? (parent.reach[i] as Reach) : Reach.Test);
      if (reach[i] === Reach.All && i < 31) allMask |= 1 << i;
      if (reach[i] === Reach.Test) testing = true;
    }
    const ignore = this.ignoreSet.reachInside(rel, parent ? parent.ignore : Reach.Test);
    const only = this.onlySet ? this.onlySet.reachInside(rel, parent ? parent.only : Reach.Test) : Reach.All;
    const state: DirectoryPolicy = { rel, reach, ignore, only, shared: undefined, allMask };
    if (!testing && !this.wide) return { ...state, shared: this.resolve(allMask, () => matchedFromMask(allMask, this.sets.length)) };
    return state;
  }

  /** The state inside directory `rel`, computed from the root down (for a subtree audited apart). */
  stateInside(rel: string): DirectoryPolicy {
    let state = this.root();
    if (rel === '.' || rel === '') return state;
    const parts = rel.split('/');
    for (let i = 1; i <= parts.length; i++) state = this.inside(parts.slice(0, i).join('/'), state);
    return state;
  }

  /** What the policy says of entries created in the directory `rel` (its own policy, as cross-context reads it). */
  creationAt(rel: string): PathCreation | undefined {
    if (rel === '.' || rel === '') return this.rootPolicy().create;
    const slash = rel.lastIndexOf('/');
    return this.policyFor(this.stateInside(slash < 0 ? '' : rel.slice(0, slash)), rel).create;
  }

  /**
   * Is this entry (inside the directory of `dir`) left out of the walk: ignored, or outside --only
   * with nothing below it that --only could match? Asked before lstat, so it cannot see the type.
   */
  skipped(dir: DirectoryPolicy, rel: string): boolean {
    if (dir.ignore !== Reach.None && (dir.ignore === Reach.All || this.ignoreSet.matches(rel))) return true;
    if (!this.onlySet || dir.only === Reach.All) return false;
    return !this.onlySet.matches(rel) && this.onlySet.reachInside(rel, dir.only) === Reach.None;
  }

  /** Is this entry reported? Without --only, always; with it, when it matches. */
  reported(dir: DirectoryPolicy | undefined, rel: string): boolean {
    if (!this.onlySet) return true;
    if (!dir) return false;
    return dir.only === Reach.All || (dir.only === Reach.Test && this.onlySet.matches(rel));
  }

  /** The policy of an entry inside the directory of `dir`. */
  policyFor(dir: DirectoryPolicy, rel: string): EntryPolicy {
    if (dir.shared) return dir.shared;
    if (this.wide) {
      const matched = this.sets.map((set, i) => dir.reach[i] === Reach.All || (dir.reach[i] === Reach.Test && set.matches(rel)));
      return this.resolve(matched.map((m) => (m ? '1' : '0')).join(''), () => matched.flatMap((m, i) => (m ? [i] : [])));
    }
    let mask = dir.allMask;
    for (let i = 0; i < this.sets.length; i++) {
      if (dir.reach[i] === Reach.Test && this.sets[i]!.matches(rel)) mask |= 1 << i;
    }
    return this.resolve(mask, () => matchedFromMask(mask, this.sets.length));
  }

  private resolve(key: number | string, matched: () => number[]): EntryPolicy {
    let policy = this.memo.get(key);
    if (!policy) {
      policy = cascade(
        matched().map((i) => this.rules[i]!),
        this.subjectCount,
      );
      this.memo.set(key, policy);
    }
    return policy;
  }
}

function matchedFromMask(mask: number, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) if (mask & (1 << i)) out.push(i);
  return out;
}

export function cascade(rules: readonly PolicyRule[], subjectCount: number): EntryPolicy {
  const levels: (AccessLevel | undefined)[] = new Array(subjectCount).fill(undefined);
  let secret = false;
  let owner: EntryPolicy['owner'];
  let group: EntryPolicy['group'];
  let create: PathCreation | undefined;
  for (const rule of rules) {
    rule.levels.forEach((level, i) => {
      if (level !== undefined) levels[i] = level;
    });
    if (rule.secret !== undefined) secret = rule.secret;
    if (rule.owner) owner = rule.owner;
    if (rule.group) group = rule.group;
    create = cascadeCreation(create, rule.create);
  }
  return { levels, secret, owner, group, create };
}

export type { PathRuleConfig };
