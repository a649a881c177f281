import { RULE_IDS } from '../rules/ids.js';
import { RULES } from '../rules/index.js';
import type { Candidate } from '../rules/contract.js';

interface Slot {
  /** The directory's own candidate for this key: the one reported if the whole subtree shares it. */
  own: Candidate;
  /** Children's candidates with the key, held until we know whether the subtree is uniform. */
  items: Candidate[];
  entries: number;
}

function ruleOfKey(key: number) {
  return RULES[RULE_IDS[Math.floor(key / (65536 * 128 * 4))]!];
}

/**
 * Folds findings of one directory's subtree. A key (rule, severity, role) that the directory has
 * and that every eligible entry below it shares is passed up as one candidate covering them all;
 * as soon as one child lacks it, everything held for it is reported individually. Children are
 * fed in walk order and emission happens at fixed points, so the order of findings is the same
 * however the walk is split.
 */
export class DirAggregate {
  private running: Map<number, Slot> | undefined;

  /** Findings of the directory itself, held until it is planned (its fix needs what is below it). */
  private readonly pending: Candidate[] = [];

  constructor(
    own: readonly Candidate[],
    private readonly emit: (candidate: Candidate) => void,
  ) {
    for (const candidate of own) {
      if (!ruleOfKey(candidate.key).aggregate || this.running?.has(candidate.key)) {
        this.pending.push(candidate);
        continue;
      }
      this.running ??= new Map();
      this.running.set(candidate.key, { own: candidate, items: [], entries: candidate.entries });
    }
  }

  /** A finding of the directory raised once it is complete (traverse-denied): reported with the others. */
  hold(candidate: Candidate): void {
    this.pending.push(candidate);
  }

  /** One child: a file's candidates, or what a finished subdirectory passed up. */
  addChild(candidates: readonly Candidate[], isDirectory: boolean): void {
    const running = this.running;
    if (running !== undefined && running.size > 0) {
      for (const [key, slot] of running) {
        // A file cannot break a directory-only rule's uniformity.
        if (!isDirectory && ruleOfKey(key).scope === 'directory') continue;
        if (!candidates.some((c) => c.key === key)) {
          running.delete(key);
          this.pending.push(slot.own);
          for (const item of slot.items) this.emit(item);
        }
      }
    }
    for (const candidate of candidates) {
      const slot = running?.get(candidate.key);
      if (slot) {
        slot.items.push(candidate);
        slot.entries += candidate.entries;
      } else {
        this.emit(candidate);
      }
    }
  }

  /**
   * The directory is done and planned: its own findings that stand alone are reported now, and what
   * its whole subtree shares is returned, as one candidate per key.
   */
  finish(): Candidate[] {
    for (const candidate of this.pending.splice(0)) this.emit(candidate);
    if (!this.running) return [];
    return [...this.running.values()].map((slot) => ({ ...slot.own, entries: slot.entries }));
  }
}
