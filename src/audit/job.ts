import type { SeverityCounts } from '../exit-code.js';
import type { Name, WalkEntry } from '../walk/walker.js';
import type { Description } from '../change/subtree.js';
import type { ParentContext, PlannedSubtree } from './engine.js';
import type { Finding } from '../rules/contract.js';
import type { Child } from './aggregate.js';

/**
 * One subtree for a worker: its root as lstat saw it, the descriptor of the directory that holds it
 * and its name there (the worker opens it through them and checks it), and what it needs of its parent.
 */
export interface Job {
  id: number;
  entry: WalkEntry;
  parentFd: number;
  name: Name;
  parent: ParentContext;
}

/** What a subtree handed to its parent's aggregate, call by call, replayed as such by the main thread. */
export type PassedUp = Child;

/** Findings reported inside a subtree, sent as they accumulate: objects, or JSON text. */
export interface JobBatch {
  kind: 'batch';
  id: number;
  findings: Finding[];
  /**
   * JSON formats: the findings as UTF-8 JSON joined by JSON_SEPARATOR, transferred (not copied)
   * to the main thread, which writes the bytes as they are.
   */
  serialized: Uint8Array | undefined;
  counts: SeverityCounts;
  /** Roughly what the batch holds in memory, for backpressure. */
  bytes: number;
}

/** The end of a subtree: what the main thread applies where the subtree stood. */
export interface JobDone {
  kind: 'done';
  id: number;
  /** What the subtree passes up to its parent's aggregate, in order. */
  passedUp: PassedUp[];
  /** What it hands the parent's plan. */
  planned: PlannedSubtree;
  description: Description | undefined;
  /** Whether the job's directory was entered at all (it may have changed before the worker opened it). */
  entered: boolean;
  /** Per subject blocked above: how many entries inside it needs. */
  needs: number[];
  entries: number;
  aclUnknown: number;
  aclUnsupportedDevices: number[];
}

export type JobMessage = JobBatch | JobDone;

/** Between two findings in the JSON array: what the JSON reporter writes, so chunks splice in as they are. */
export { ITEM_SEPARATOR as JSON_SEPARATOR } from '../reporters/json-stream.js';
