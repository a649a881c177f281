import type { SeverityCounts } from '../exit-code.js';
import type { DirectoryPolicy } from '../policy/compile.js';
import type { Format } from '../reporters/index.js';
import { planWalk, type PlannedDir } from '../walk/plan.js';
import { Walker } from '../walk/walker.js';
import { AuditEngine, parentContext, type Frame } from './engine.js';
import { Channel, type Pool } from './pool.js';
import type { AuditPlan } from './plan.js';
import { reportingEngine, turn, type AuditHooks, type AuditResult } from './run.js';
import type { WorkerSetup } from './worker.js';

/**
 * The audit on several threads. The main thread lists the top of the tree; the subtrees of its
 * frontier go to workers in walk order; the main thread then replays the top through its own
 * engine and splices each subtree's findings and summary in where the walk would have produced
 * them. The findings, their order and the aggregation are those of a single walk.
 */
export async function runParallel(plan: AuditPlan, hooks: AuditHooks, pool: Pool, format: Format): Promise<AuditResult> {
  const counts: SeverityCounts = { errors: 0, warnings: 0, infos: 0 };
  const engine = reportingEngine(plan, hooks, counts);
  const root = Walker.lstat({ path: plan.walkRoot, rel: '.' });
  if (!root || root instanceof Error) throw new Error(`cannot lstat the audit root ${plan.walkRoot}`);
  const walkPlan = await planWalk<DirectoryPolicy>(root, plan.policy.root(), {
    inside: (rel, parent) => plan.policy.inside(rel, parent),
    skip: (rel, parent) => plan.policy.skipped(parent, rel),
    // Enough subtrees that a big one cannot leave the other threads idle for long.
    targetJobs: pool.size * 16,
    maxDepth: 4,
    pause: turn,
  });
  let entries = walkPlan.entries;
  let replayed = 0;
  if (walkPlan.jobs.length > 0) pool.configure(setupFor(plan, format));
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
          pool.consumed(batch.bytes);
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

  // Every job is queued, in walk order, before the replay waits on the first one.
  if (walkPlan.jobs.length > 0) queueJobs(walkPlan.root, plan, pool, channels);
  await replay(walkPlan.root, undefined);
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

function addCounts(into: SeverityCounts, add: SeverityCounts): void {
  into.errors += add.errors;
  into.warnings += add.warnings;
  into.infos += add.infos;
}
