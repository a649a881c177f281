import { RULES } from '../rules/index.js';
import { ruleOfKey } from '../rules/rule.js';
import type { Candidate, Exceptions } from '../rules/contract.js';

/**
 * How much of a subtree may lack a finding that its top has, and the subtree still be reported once
 * at its top with its exceptions: at most MAX_EXCEPTIONS of them (an entry, or a directory that lacks
 * it with all that is below it), and the finding on at least MIN_SHARE of the entries (the top
 * included). Chosen on real trees (docs/rules.md#aggregation): a person who fixed a few dozen files by
 * hand after chmod -R 777 or chown -R still gets one line per rule. The first LISTED are named.
 */
export const MAX_EXCEPTIONS = 100;
export const MIN_SHARE = 0.9;
export const LISTED = 20;

/** Entries of a subtree a rule may judge (symlinks without findings are none), its top included. */
export interface Size {
  entries: number;
  directories: number;
  /** Something in it could not be read: nothing above it can vouch for what it holds. */
  unread: boolean;
}

/** What a subtree still holds for one key: findings not yet reported, and what lacks the key. */
export interface Share {
  key: number;
  /** One candidate once folded at a directory with the key, else those waiting for one above. */
  held: Candidate[];
  /** Entries with the finding that `held` stands for. */
  entries: number;
  exceptions: Exceptions;
}

/** What an entry, or a finished directory's subtree, hands its directory's aggregate. Plain data: it crosses threads. */
export interface Child {
  rel: string;
  shares: Share[];
  /** Keys that had too many exceptions somewhere inside: what has them there is reported already. */
  given: number[];
  size: Size;
}

interface Slot {
  /** The directory's own candidate, when it has the key: the one that stands for the subtree. */
  own: Candidate | undefined;
  held: Candidate[];
  entries: number;
  exceptions: Exceptions;
}

const NO_EXCEPTIONS: Exceptions = { listed: [], parts: 0, entries: 0 };
const NOTHING: ReadonlySet<number> = new Set();

const isDirectoryRule = (key: number) => RULES[ruleOfKey(key)].scope === 'directory';
const counted = (size: Size, key: number) => (isDirectoryRule(key) ? size.directories : size.entries);

/** A file, a symlink with findings, or an entry that could not be read, as its directory's child. */
export function entryChild(rel: string, candidates: readonly Candidate[], unread = false): Child {
  return {
    rel,
    shares: candidates.map((c) => ({ key: c.key, held: [c], entries: c.entries, exceptions: NO_EXCEPTIONS })),
    given: [],
    size: { entries: 1, directories: 0, unread },
  };
}

/**
 * Folds findings of one directory's subtree. A key (rule, severity, role, the rule's own part) that
 * the directory has, and that nearly every entry below it shares, is passed up as one candidate that
 * counts them and lists the exceptions. Findings of a subtree that is not folded yet wait in case a
 * directory above folds them, as long as no more than MAX_EXCEPTIONS entries and subtrees lack them;
 * past that they are reported where they are. So an odd entry costs its ancestors nothing, and memory
 * stays bounded: only a few exceptions keep findings waiting, those of the directories above them.
 * Children are fed in walk order and reporting happens at fixed points, so the order of findings is
 * the same however the walk is split.
 */
export class DirAggregate {
  private readonly slots = new Map<number, Slot>();
  /** Keys with too many exceptions here or below: anything with them is reported as it comes. */
  private readonly given = new Set<number>();
  /** Findings of the directory itself, held until it is planned (its fix needs what is below it). */
  private readonly pending: Candidate[] = [];
  private readonly size: Size = { entries: 1, directories: 1, unread: false };
  /**
   * The directory and its children so far: the exceptions of a key first seen below it later (all of
   * them, and those that hold directories, for a directory-scope rule).
   */
  private readonly earlierEntries: Exceptions;
  private readonly earlierDirectories: Exceptions;

  /** Keys this directory or one above it has: what may wait below for a directory to fold it. */
  readonly foldable: ReadonlySet<number>;

  /**
   * `above`: the keys the directories above have (undefined at the root). Only those can fold what
   * this directory does not, so only those wait: a directory of 20,000 findings nobody above shares
   * reports them as they come.
   */
  constructor(
    private readonly rel: string,
    own: readonly Candidate[],
    private readonly emit: (candidate: Candidate) => void,
    private readonly above: ReadonlySet<number> | undefined,
  ) {
    this.earlierEntries = { listed: [{ path: rel, entries: 1 }], parts: 1, entries: 1 };
    this.earlierDirectories = { listed: [{ path: rel, entries: 1 }], parts: 1, entries: 1 };
    for (const candidate of own) {
      if (!RULES[candidate.rule].aggregate || this.slots.has(candidate.key)) {
        this.pending.push(candidate);
        continue;
      }
      this.slots.set(candidate.key, {
        own: candidate,
        held: [],
        entries: candidate.entries,
        exceptions: { listed: [], parts: 0, entries: 0 },
      });
    }
    this.foldable = this.slots.size === 0 ? (above ?? NOTHING) : new Set([...(above ?? []), ...this.slots.keys()]);
  }

  /** A finding of the directory raised once it is complete (traverse-denied): reported with the others. */
  hold(candidate: Candidate): void {
    this.pending.push(candidate);
  }

  /** One child: a file's candidates, or what a finished subdirectory passed up. */
  addChild(child: Child): void {
    if (child.size.unread) {
      this.size.unread = true;
      for (const key of this.slots.keys()) this.giveUp(key);
    }
    // A subtree that reported some of a key's findings where they are cannot count as lacking it.
    for (const key of child.given) {
      if (this.slots.has(key)) this.giveUp(key);
      else this.given.add(key);
    }
    for (const [key, slot] of this.slots) {
      if (child.shares.some((share) => share.key === key)) continue;
      const lacking = counted(child.size, key);
      if (lacking > 0) this.except(key, slot, { listed: [{ path: child.rel, entries: lacking }], parts: 1, entries: lacking });
    }
    for (const share of child.shares) {
      const slot = RULES[ruleOfKey(share.key)].aggregate ? (this.slots.get(share.key) ?? this.lateSlot(share.key)) : undefined;
      if (!slot) {
        for (const candidate of share.held) this.emit(candidate);
        continue;
      }
      // One by one: a directory of 100,000 files hands up as many (a spread would overflow the stack).
      for (const candidate of share.held) slot.held.push(candidate);
      slot.entries += share.entries;
      if (share.exceptions.parts > 0) this.except(share.key, slot, share.exceptions);
    }
    this.size.entries += child.size.entries;
    this.size.directories += child.size.directories;
    add(this.earlierEntries, { listed: [{ path: child.rel, entries: child.size.entries }], parts: 1, entries: child.size.entries });
    if (child.size.directories > 0) {
      const directories = child.size.directories;
      add(this.earlierDirectories, { listed: [{ path: child.rel, entries: directories }], parts: 1, entries: directories });
    }
  }

  /**
   * The directory is done and planned: its own findings that stand alone are reported now. Returned:
   * per key, one candidate for a subtree folded here, or what still waits for a directory above.
   */
  finish(): Child {
    for (const candidate of this.pending.splice(0)) this.emit(candidate);
    const shares: Share[] = [];
    for (const [key, slot] of this.slots) {
      const exceptions = slot.exceptions;
      if (slot.own && slot.entries >= MIN_SHARE * (slot.entries + exceptions.entries)) {
        const top: Candidate = { ...slot.own, entries: slot.entries, ...(exceptions.parts > 0 ? { exceptions } : {}) };
        shares.push({ key, held: [top], entries: slot.entries, exceptions });
        continue;
      }
      // Inside first, the directory after: the order in which a walk reports what it does not fold.
      const held = slot.own ? [...slot.held, slot.own] : slot.held;
      if (this.above?.has(key)) shares.push({ key, held, entries: slot.entries, exceptions });
      else for (const candidate of held) this.emit(candidate);
    }
    return { rel: this.rel, shares, given: [...this.given], size: this.size };
  }

  /** A key the directory lacks, first brought by a child: it waits if the directory and what came before are few. */
  private lateSlot(key: number): Slot | undefined {
    if (!this.above?.has(key) || this.size.unread || this.given.has(key)) return undefined;
    const earlier = isDirectoryRule(key) ? this.earlierDirectories : this.earlierEntries;
    if (earlier.parts > MAX_EXCEPTIONS) {
      this.given.add(key);
      return undefined;
    }
    const slot: Slot = { own: undefined, held: [], entries: 0, exceptions: { ...earlier, listed: [...earlier.listed] } };
    this.slots.set(key, slot);
    return slot;
  }

  private except(key: number, slot: Slot, exceptions: Exceptions): void {
    if (slot.exceptions.parts + exceptions.parts > MAX_EXCEPTIONS) this.giveUp(key);
    else add(slot.exceptions, exceptions);
  }

  /** Too much lacks the key: what waited is reported where it is, the directory's own with its findings. */
  private giveUp(key: number): void {
    const slot = this.slots.get(key)!;
    this.slots.delete(key);
    this.given.add(key);
    for (const candidate of slot.held) this.emit(candidate);
    if (slot.own) this.pending.push(slot.own);
  }
}

function add(into: Exceptions, more: Exceptions): void {
  into.parts += more.parts;
  into.entries += more.entries;
  for (const e of more.listed) if (into.listed.length < LISTED) into.listed.push(e);
}
