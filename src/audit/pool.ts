import { Worker } from 'node:worker_threads';
import { startJob, type JobContext } from './job-run.js';
import type { Job, JobBatch, JobDone, JobMessage } from './job.js';
import { turn } from './run.js';
import type { WorkerSetup } from './worker.js';
import { AUDIT_WORKER } from '../worker-entries.js';

/** Findings held for subtrees ahead of the one being written; past this, no new subtree starts. */
const BUFFER_LIMIT = 32 * 1024 * 1024;

/**
 * Entries the main thread walks itself before it starts threads. A thread costs about as much to start
 * (Node's start-up and the modules: measured ~0.2 s of CPU each on a small CI box) as walking
 * several thousand entries, so a
 * small tree is done sooner on one thread; past this many, the rest of the queue goes to threads.
 */
export const THREADS_AFTER_ENTRIES = 4096;

/** Entries per slice of a job walked on the main thread, between turns of the event loop. */
const SLICE = 4096;

/** One job's messages, in order, until it is done. */
export class Channel {
  private readonly batches: JobBatch[] = [];
  private done: JobDone | undefined;
  private failure: unknown;
  private wake: (() => void) | undefined;

  deliver(message: JobMessage): void {
    if (message.kind === 'batch') this.batches.push(message);
    else this.done = message;
    this.wake?.();
  }

  fail(error: unknown): void {
    this.failure = error;
    this.wake?.();
  }

  /** Hand each batch to `apply` as it arrives; resolve with the end of the job. */
  async drain(apply: (batch: JobBatch) => Promise<void>): Promise<JobDone> {
    for (;;) {
      if (this.failure) throw this.failure;
      const batch = this.batches.shift();
      if (batch) await apply(batch);
      else if (this.done) return this.done;
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

/**
 * Jobs taken from one queue in walk order: first by the main thread itself, between turns of its
 * event loop, and once it has walked `threadsAfter` entries, by up to `size` worker threads. A new
 * job starts only while the findings waiting for the replay stay under BUFFER_LIMIT; jobs already
 * running always finish, and the job being replayed was always started first, so the replay never
 * waits on itself.
 */
export class Pool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { job: Job; channel: Channel }[] = [];
  private readonly running = new Map<Worker, Channel>();
  private buffered = 0;
  private setup: WorkerSetup | undefined;
  private context: JobContext | undefined;
  /** Entries seen on the main thread: the planner's, then its own jobs'. */
  private walked = 0;
  private walkingHere = false;
  private closed = false;
  private room: (() => void) | undefined;

  private readonly threadsAfter: number;

  /**
   * `threadsAfter`: entries before threads start, whatever the tree's shape (PERMCHECK_THREADS_AFTER);
   * undefined: THREADS_AFTER_ENTRIES, or at once for a tree that is wide near the top.
   */
  constructor(
    readonly size: number,
    private readonly given?: number,
  ) {
    this.threadsAfter = given ?? THREADS_AFTER_ENTRIES;
  }

  /** What the jobs need: `setup` for threads, `context` for jobs walked here; `planned`: what the planner saw. */
  configure(setup: WorkerSetup, context: JobContext, planned: { entries: number; wide: boolean }): void {
    this.setup = setup;
    this.context = context;
    this.walked = planned.entries;
    if ((planned.wide && this.given === undefined) || this.walked >= this.threadsAfter) this.startThreads();
  }

  enqueue(job: Job, channel: Channel): void {
    this.queue.push({ job, channel });
    this.pump();
  }

  /** The replay wrote a batch: room for more. */
  consumed(bytes: number): void {
    this.buffered -= bytes;
    this.pump();
    if (this.buffered < BUFFER_LIMIT) this.room?.();
  }

  private pump(): void {
    if (this.workers.length === 0) {
      if (!this.walkingHere && this.queue.length > 0) void this.walkHere();
      return;
    }
    while (this.idle.length > 0 && this.queue.length > 0 && this.buffered < BUFFER_LIMIT) {
      const worker = this.idle.shift()!;
      const { job, channel } = this.queue.shift()!;
      this.running.set(worker, channel);
      worker.postMessage(job);
    }
  }

  /** Jobs in walk order on this thread, in slices, until the threads take over the rest of the queue. */
  private async walkHere(): Promise<void> {
    this.walkingHere = true;
    try {
      while (!this.closed && this.workers.length === 0 && this.queue.length > 0) {
        if (this.buffered >= BUFFER_LIMIT) {
          await new Promise<void>((resolve) => (this.room = resolve));
          continue;
        }
        const { job, channel } = this.queue.shift()!;
        const post = (message: JobMessage) => {
          if (message.kind === 'batch') this.buffered += message.bytes;
          channel.deliver(message);
        };
        let run: ReturnType<typeof startJob> | undefined;
        try {
          run = startJob(job, this.context!, post);
          for (let more = true; more;) {
            more = run.step(SLICE);
            await turn();
            if (this.closed) return;
            // Past the threshold with jobs still waiting: they go to threads; this one ends here.
            if (this.workers.length === 0 && this.queue.length > 0 && this.walked + run.entries >= this.threadsAfter) this.startThreads();
          }
          this.walked += run.entries;
        } catch (error) {
          // A bug: the replay fails with its stack.
          channel.fail(error);
          return;
        } finally {
          if (this.closed) run?.dispose();
        }
      }
    } finally {
      this.walkingHere = false;
    }
  }

  private startThreads(): void {
    for (let i = 0; i < this.size; i++) {
      // A small young generation: findings are short-lived garbage, and each worker's heap counts
      // in the process's memory (measured: 4 MB keeps a 1M-entry audit ~30 MB lower, at ~2% time).
      const worker = new Worker(AUDIT_WORKER, { resourceLimits: { maxYoungGenerationSizeMb: 4 } });
      worker.on('message', (message: JobMessage) => {
        const channel = this.running.get(worker)!;
        if (message.kind === 'batch') this.buffered += message.bytes;
        channel.deliver(message);
        if (message.kind === 'done') {
          this.running.delete(worker);
          this.idle.push(worker);
          this.pump();
        }
      });
      // A worker that throws is a bug: fail the run with its stack.
      worker.on('error', (error) => {
        this.running.get(worker)?.fail(error);
        for (const task of this.queue.splice(0)) task.channel.fail(error);
      });
      worker.postMessage(this.setup);
      this.workers.push(worker);
      this.idle.push(worker);
    }
    this.pump();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.room?.();
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
