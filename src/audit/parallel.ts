import { Worker } from 'node:worker_threads';
import type { SeverityCounts } from '../exit-code.js';
import type { DirectoryPolicy } from '../policy/compile.js';
import { planWalk, type PlannedDir } from '../walk/plan.js';
import { Walker } from '../walk/walker.js';
import { AuditEngine, parentContext, type Frame } from './engine.js';
import { toFinding } from './finding.js';
import type { Job, JobBatch, JobDone, JobMessage } from './job.js';
import type { AuditPlan } from './plan.js';
import { turn, type AuditHooks, type AuditResult } from './run.js';
import type { WorkerSetup } from './worker.js';

const WORKER_URL = new URL('./worker.js', import.meta.url);

/** Findings held for subtrees ahead of the one being written; past this, no new subtree starts. */
const BUFFER_LIMIT = 32 * 1024 * 1024;

/**
 * The audit on several threads. The main thread lists the top of the tree; the subtrees of its
 * frontier go to workers in walk order; the main thread then replays the top through its own
 * engine and splices each subtree's findings and summary in where the walk would have produced
 * them. The findings, their order and the aggregation are those of a single walk.
 */
export async function runParallel(plan: AuditPlan, hooks: AuditHooks, workers: number, serialize: boolean): Promise<AuditResult> {
  const counts: SeverityCounts = { errors: 0, warnings: 0, infos: 0 };
  const context = { settings: plan.settings, names: plan.db };
  const engine = new AuditEngine({
    settings: plan.settings,
    policy: plan.policy,
    ancestorBlocks: plan.ancestorBlocks,
    emit: (candidate) => {
      const finding = toFinding(candidate, context);
      addCount(counts, finding.severity);
      hooks.finding(finding);
    },
  });
  const root = Walker.lstat({ path: plan.walkRoot, rel: '.' });
  if (!root || root instanceof Error) throw new Error(`cannot lstat the audit root ${plan.walkRoot}`);
  const walkPlan = await planWalk<DirectoryPolicy>(root, plan.policy.root(), {
    inside: (rel, parent) => plan.policy.inside(rel, parent),
    skip: (rel, parent) => plan.policy.ignored(parent, rel),
    // Enough subtrees that a big one cannot leave the other threads idle for long.
    targetJobs: workers * 16,
    maxDepth: 4,
    pause: turn,
  });
  let entries = walkPlan.entries;
  let replayed = 0;
  const pool = walkPlan.jobs.length > 0 ? new Pool(Math.min(workers, walkPlan.jobs.length), setupFor(plan, serialize)) : undefined;
  const channels = new Map<number, Channel>();

  const replay = async (dir: PlannedDir<DirectoryPolicy>, parent: Frame | undefined): Promise<void> => {
    const frame = engine.enter(dir.entry, parent);
    if (dir.listError) engine.error(dir.entry.rel, dir.entry.path, dir.listError, frame);
    for (const child of dir.children) {
      // The top of a tree can be one huge directory: stay interruptible and keep output flowing.
      if (++replayed % 4096 === 0) {
        await hooks.afterSlice(entries);
        await turn();
      }
      if ('file' in child) engine.entry(child.entry, frame);
      else if ('error' in child) engine.error(child.rel, child.path, child.error, frame);
      else if (child.job === undefined) await replay(child, frame);
      else {
        const channel = channels.get(child.job)!;
        const done = await channel.drain(async (batch) => {
          for (const finding of batch.findings) hooks.finding(finding);
          if (batch.serialized) await hooks.serialized?.(batch.serialized);
          addCounts(counts, batch.counts);
          pool!.consumed(batch.bytes);
          await hooks.afterSlice(entries);
        });
        channels.delete(child.job);
        entries += done.entries - 1;
        done.needs.forEach((needed, s) => {
          if (needed > 0) frame.blockers[s]!.needs += needed;
        });
        frame.aggregate.addChild(done.summary, true);
        await hooks.afterSlice(entries);
      }
    }
    engine.leave(frame);
  };

  try {
    // Every job is queued, in walk order, before the replay waits on the first one.
    if (pool) queueJobs(walkPlan.root, plan, pool, channels);
    await replay(walkPlan.root, undefined);
  } finally {
    await pool?.close();
  }
  return { ...counts, entries };
}

/**
 * A job needs its parent's reach (searchable, blocked subjects), which depends only on the
 * directories above it: computed by a silent pass of the engine over the planned top.
 */
function queueJobs(root: PlannedDir<DirectoryPolicy>, plan: AuditPlan, pool: Pool, channels: Map<number, Channel>): void {
  const silent = new AuditEngine({ settings: plan.settings, policy: plan.policy, ancestorBlocks: plan.ancestorBlocks, emit: () => {} });
  const visit = (dir: PlannedDir<DirectoryPolicy>, parent: Frame | undefined) => {
    const frame = silent.enter(dir.entry, parent);
    for (const child of dir.children) {
      if ('file' in child || 'error' in child) continue;
      if (child.job === undefined) {
        visit(child, frame);
        continue;
      }
      const channel = new Channel();
      channels.set(child.job, channel);
      pool.enqueue({ id: child.job, entry: child.entry, parent: parentContext(frame) }, channel);
    }
  };
  visit(root, undefined);
}

function setupFor(plan: AuditPlan, serialize: boolean): WorkerSetup {
  const records = plan.db.records();
  return { settings: plan.settings, rules: plan.rules, ignore: plan.ignore, users: records.users, groups: records.groups, source: plan.db.source, nameService: records.nameService, serialize };
}

function addCount(counts: SeverityCounts, severity: string): void {
  if (severity === 'error') counts.errors++;
  else if (severity === 'warning') counts.warnings++;
  else counts.infos++;
}

function addCounts(into: SeverityCounts, add: SeverityCounts): void {
  into.errors += add.errors;
  into.warnings += add.warnings;
  into.infos += add.infos;
}

/** One job's messages, in order, until it is done. */
class Channel {
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
 * Worker threads taking jobs from one queue in walk order. A new job starts only while the
 * findings waiting for the replay stay under BUFFER_LIMIT; jobs already running always finish,
 * and the job being replayed was always started first, so the replay never waits on itself.
 */
class Pool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { job: Job; channel: Channel }[] = [];
  private readonly running = new Map<Worker, Channel>();
  private buffered = 0;

  constructor(size: number, setup: WorkerSetup) {
    for (let i = 0; i < size; i++) {
      // A small young generation: findings are short-lived garbage, and each worker's heap counts
      // in the process's memory (measured: 4 MB keeps a 1M-entry audit ~30 MB lower, at ~2% time).
      const worker = new Worker(WORKER_URL, { workerData: setup, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
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
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  enqueue(job: Job, channel: Channel): void {
    this.queue.push({ job, channel });
    this.pump();
  }

  /** The replay wrote a batch: room for more. */
  consumed(bytes: number): void {
    this.buffered -= bytes;
    this.pump();
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0 && this.buffered < BUFFER_LIMIT) {
      const worker = this.idle.shift()!;
      const { job, channel } = this.queue.shift()!;
      this.running.set(worker, channel);
      worker.postMessage(job);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
