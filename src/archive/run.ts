import { reportingEngine, turn, type AuditHooks, type AuditResult } from '../audit/run.js';
import type { SeverityCounts } from '../exit-code.js';
import { archiveSecretContent } from '../secret/read.js';
import type { ArtifactPlan } from './plan.js';
import { ArchiveWalker } from './walk.js';

/** Entries per slice, as a directory audit takes them: Ctrl-C and output stay responsive. */
const SLICE = 4096;

/**
 * Audit an archive's or image's tree with the engine a directory audit uses, in the same order,
 * on this thread: the tree is in memory, and the engine is the work.
 */
export async function runArtifactAudit(plan: ArtifactPlan, hooks: AuditHooks): Promise<AuditResult> {
  const counts: SeverityCounts = { errors: 0, warnings: 0, infos: 0, races: 0 };
  const walker = new ArchiveWalker(plan.tree, plan.rootRel, reportingEngine(plan, hooks, counts, archiveSecretContent));
  while (walker.step(SLICE)) {
    await hooks.afterSlice(walker.entries);
    await turn();
  }
  await hooks.afterSlice(walker.entries);
  return { ...counts, entries: walker.entries, aclUnknown: 0, aclUnsupportedDevices: 0 };
}
