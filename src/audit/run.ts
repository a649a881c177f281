import type { SeverityCounts } from '../exit-code.js';
import type { Change } from '../change/change.js';
import { readSecretContent, type SecretReader } from '../secret/read.js';
import { Walker, type WalkEntry } from '../walk/walker.js';
import { AuditEngine } from './engine.js';
import { toFinding } from './finding.js';
import type { AuditPlan } from './plan.js';
import type { Finding } from '../rules/contract.js';

/** Entries per slice: small enough to stay responsive (Ctrl-C, progress), large enough to be free. */
const SLICE = 4096;

export interface AuditHooks {
  finding(finding: Finding): void;
  /** Findings a worker already wrote as UTF-8 JSON, joined by JSON_SEPARATOR (streaming formats only). */
  serialized?(json: Uint8Array): Promise<void>;
  /** Between slices: flush output, draw progress. Awaited, so output backpressure holds the walk. */
  afterSlice(entries: number): Promise<void>;
  /** Every change the plan makes (permcheck fix collects them; only with --jobs 1). */
  planned?(entry: WalkEntry, change: Change, pathSafe: boolean): void;
}

export interface AuditResult extends SeverityCounts {
  entries: number;
  /** Entries whose ACL could not be read (names that are not UTF-8 on FIFOs, a missing binding). */
  aclUnknown: number;
  /** File systems in the tree that said they do not support ACLs. */
  aclUnsupportedDevices: number;
}

/**
 * A real turn of the event loop (a resolved promise is only a microtask): Ctrl-C, progress timers
 * and pipe writes are served here, between slices of synchronous work.
 */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The plan's engine, reporting each finding through the hooks and counting it by severity. */
export function reportingEngine(
  plan: Pick<AuditPlan, 'settings' | 'policy' | 'ancestorBlocks' | 'db'>,
  hooks: AuditHooks,
  counts: SeverityCounts,
  /** How secret-marked files are read: through the walk's descriptors, or not at all (an archive). */
  secretContent: SecretReader = readSecretContent,
): AuditEngine {
  const context = { settings: plan.settings, names: plan.db };
  return new AuditEngine({
    settings: plan.settings,
    policy: plan.policy,
    ancestorBlocks: plan.ancestorBlocks,
    planned: hooks.planned,
    secretContent,
    emit: (candidate) => {
      const finding = toFinding(candidate, context);
      countFinding(counts, finding);
      hooks.finding(finding);
    },
  });
}

export function countFinding(counts: SeverityCounts, finding: Finding): void {
  if (finding.severity === 'error') counts.errors++;
  else if (finding.severity === 'warning') counts.warnings++;
  else counts.infos++;
  if (finding.rule === 'walk-error' && finding.code === 'ERACE') counts.races++;
}

/** Walk the tree and report each finding as soon as it is final. */
export async function runAudit(plan: AuditPlan, hooks: AuditHooks): Promise<AuditResult> {
  const counts: SeverityCounts = { errors: 0, warnings: 0, infos: 0, races: 0 };
  const engine = reportingEngine(plan, hooks, counts);
  const walker = new Walker(plan.start, engine);
  try {
    while (walker.step(SLICE)) {
      await hooks.afterSlice(walker.entries);
      await turn();
    }
  } finally {
    walker.dispose();
  }
  await hooks.afterSlice(walker.entries);
  const { entries, aclUnknown, aclUnsupportedDevices } = walker.counters;
  return { ...counts, entries, aclUnknown, aclUnsupportedDevices: aclUnsupportedDevices.size };
}
