import type { SeverityCounts } from '../exit-code.js';
import type { DirectoryPolicy } from '../policy/compile.js';
import { plain } from '../paint.js';
import { REPORTERS, type Format } from '../reporters/index.js';
import { planWalk, type PlannedDir } from '../walk/plan.js';
import { Walker, type WalkCounters } from '../walk/walker.js';
import { AuditEngine, parentContext, type Frame } from './engine.js';
import type { JobContext } from './job-run.js';
import { Channel, type Pool } from './pool.js';
import type { AuditPlan } from './plan.js';
import { reportingEngine, turn, type AuditHooks, type AuditResult } from './run.js';
import type { WorkerSetup } from './worker.js';

/**
 * The audit on several threads. The main thread lists the top of the tree; the subtrees of its
 * frontier are jobs, taken in walk order by the main thread itself and, once the tree proves big
 * enough to pay for them, by worker threads (pool.ts); the main thread then replays the top through its own
 * engine and splices each subtree's findings and summary in where the walk would have produced
 * them. The findings, their order and the aggregation are those of a single walk.
 */
export async function runParallel(plan: AuditPlan, hooks: AuditHooks, pool: Pool, format: Format): Promise<AuditResult> {
  const counts: SeverityCounts = { errors: 0, warnings: 0, infos: 0, races: 0 };
  const engine = reportingEngine(plan, hooks, counts);
  const targetJobs = pool.size * 16;
  const walkPlan = await planWalk<DirectoryPolicy>(plan.start, plan.policy.root(), {
    inside: (rel, parent) => plan.policy.inside(rel, parent),
    skip: (rel, parent) => plan.policy.skipped(parent, rel),
    // Enough subtrees that a big one cannot leave the other threads idle for long.
    targetJobs,
    maxDepth: 4,
    pause: turn,
  });
  const counters: WalkCounters = walkPlan.counters;
  let replayed = 0;
  if (walkPlan.jobs.length > 0) {
    // A level that wide near the top (not the depth limit) is a big tree: its threads start at once.
    const wide = walkPlan.jobs.length >= targetJobs;
    pool.configure(setupFor(plan, format), contextFor(plan, format), { entries: counters.entries, wide });
  }
  const channels = new Map<number, Channel>();

  const replay = async (dir: PlannedDir<DirectoryPolicy>, parent: Frame | undefined): Promise<void> => {
    if (dir.openError) {
      if (dir.openError.code === 'ERACE') engine.error(dir.entry.rel, dir.entry.path, dir.openError, parent);
      else Walker.enterUnlisted(engine, dir.entry, parent, dir.openError);
      return;
    }
    const frame = engine.enter(dir.entry, parent);
    // What the planner left out is what the walker's skip() would have: the same summary either way.
    if (dir.skipped > 0) engine.leftOut(frame);
    if (dir.listError) engine.error(dir.entry.rel, dir.entry.path, dir.listError, frame);
    for (const child of dir.children) {
      // The top of a tree can be one huge directory: stay interruptible and keep output flowing.
      if (++replayed % 4096 === 0) {
        await hooks.afterSlice(counters.entries);
        await turn();
      }
      if ('file' in child) engine.entry(child.entry, frame, dir.fd, child.name);
      else if ('error' in child) engine.error(child.rel, child.path, child.error, frame);
      else if (child.job === undefined) await replay(child, frame);
      else {
        const channel = channels.get(child.job)!;
        const done = await channel.drain(async (batch) => {
          for (const finding of batch.findings) hooks.finding(finding);
          if (batch.serialized) await hooks.serialized?.(batch.serialized);
          addCounts(counts, batch.counts);
          pool.consumed(batch.bytes);
          await hooks.afterSlice(counters.entries);
        });
        channels.delete(child.job);
        counters.entries += done.entries - 1;
        counters.aclUnknown += done.aclUnknown;
        for (const dev of done.aclUnsupportedDevices) counters.aclUnsupportedDevices.add(dev);
        done.needs.forEach((needed, s) => {
          if (needed > 0) frame.blockers[s]!.needs += needed;
        });
        engine.adopt(frame, done.planned, done.description, done.entered);
        for (const passed of done.passedUp) frame.aggregate.addChild(passed);
        await hooks.afterSlice(counters.entries);
      }
    }
    engine.leave(frame);
    // Still where it was listed? (The same check the walker makes when it leaves a directory.)
    if (dir.name !== undefined && !Walker.stillThere(dir.parentFd!, dir.name, dir.entry)) {
      engine.error(dir.entry.rel, dir.entry.path, Walker.movedError(dir.entry.rel), parent);
    }
  };

  try {
    // Every job is queued, in walk order, before the replay waits on the first one.
    if (walkPlan.jobs.length > 0) queueJobs(walkPlan.root, plan, pool, channels);
    await replay(walkPlan.root, undefined);
  } finally {
    walkPlan.close();
  }
  return {
    ...counts,
    entries: counters.entries,
    aclUnknown: counters.aclUnknown,
    aclUnsupportedDevices: counters.aclUnsupportedDevices.size,
  };
}

/**
 * A job needs its parent's reach (searchable, blocked subjects), which depends only on the
 * directories above it: computed by a silent pass of the engine over the planned top.
 */
function queueJobs(root: PlannedDir<DirectoryPolicy>, plan: AuditPlan, pool: Pool, channels: Map<number, Channel>): void {
  const silent = new AuditEngine({ settings: plan.settings, policy: plan.policy, ancestorBlocks: plan.ancestorBlocks, emit: () => {} });
  const visit = (dir: PlannedDir<DirectoryPolicy>, parent: Frame | undefined) => {
    if (dir.openError) return;
    const frame = silent.enter(dir.entry, parent);
    for (const child of dir.children) {
      if ('file' in child || 'error' in child) continue;
      if (child.job === undefined) {
        visit(child, frame);
        continue;
      }
      const channel = new Channel();
      channels.set(child.job, channel);
      pool.enqueue(
        { id: child.job, entry: child.entry, parentFd: child.parentFd!, name: child.name!, parent: parentContext(frame) },
        channel,
      );
    }
  };
  visit(root, undefined);
}

function setupFor(plan: AuditPlan, format: Format): WorkerSetup {
  const records = plan.db.records();
  return {
    settings: plan.settings,
    rules: plan.rules,
    ignore: plan.ignore,
    only: plan.only,
    users: records.users,
    groups: records.groups,
    source: plan.db.source,
    nameService: records.nameService,
    format,
  };
}

/** The same as a worker's, from the plan this thread already holds. */
function contextFor(plan: AuditPlan, format: Format): JobContext {
  return {
    settings: plan.settings,
    policy: plan.policy,
    names: plan.db,
    serialize: REPORTERS[format]({ paint: plain, verbose: false }).serialize,
  };
}

function addCounts(into: SeverityCounts, add: SeverityCounts): void {
  into.errors += add.errors;
  into.warnings += add.warnings;
  into.infos += add.infos;
  into.races += add.races;
}
