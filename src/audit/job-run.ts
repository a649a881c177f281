import type { CompiledPolicy } from '../policy/compile.js';
import type { UserDatabase } from '../users/database.js';
import { readSecretContent } from '../secret/read.js';
import { directoryAcls } from '../walk/acl-read.js';
import { Walker, type WalkCounters } from '../walk/walker.js';
import { AuditEngine, type Frame } from './engine.js';
import { toFinding } from './finding.js';
import { countFinding } from './run.js';
import { JSON_SEPARATOR, type Job, type JobBatch, type JobMessage, type PassedUp } from './job.js';
import type { AuditSettings, Finding } from '../rules/contract.js';

/** What auditing a job needs: a worker builds it from its setup, the main thread has it from its plan. */
export interface JobContext {
  settings: AuditSettings;
  policy: CompiledPolicy;
  names: UserDatabase;
  /** A streaming format's serializer: findings leave as JSON text, the cheapest to pass and to hold. */
  serialize: ((finding: Finding) => string) | undefined;
}

/** A job under way: step() walks up to `budget` entries; false once the job is done and posted. */
export interface JobRun {
  step(budget: number): boolean;
  /** Entries walked so far. */
  readonly entries: number;
  /** Release its descriptors (an audit that ends before the job does). */
  dispose(): void;
}

/** A batch goes out once it holds about this much, so no thread holds a whole subtree's report. */
const BATCH_BYTES = 256 * 1024;

/**
 * Audit one subtree with the same engine the single walk uses, posting its findings in batches and,
 * at the end, what it hands its parent. The same code on a worker thread and, for a tree too small to
 * pay for threads, on the main thread: the messages are the same either way.
 */
export function startJob(job: Job, context: JobContext, post: (message: JobMessage) => void): JobRun {
  const { settings, policy, names, serialize } = context;
  const naming = { settings, names };
  let batch = emptyBatch(job.id);
  let lines: string[] = [];
  const flush = () => {
    if (batch.findings.length + lines.length === 0) return;
    if (lines.length > 0) batch.serialized = Buffer.from(lines.join(JSON_SEPARATOR));
    post(batch);
    batch = emptyBatch(job.id);
    lines = [];
  };
  const engine = new AuditEngine({
    settings,
    policy,
    ancestorBlocks: [],
    secretContent: readSecretContent,
    emit: (candidate) => {
      const finding = toFinding(candidate, naming);
      countFinding(batch.counts, finding);
      if (serialize) {
        const json = serialize(finding);
        lines.push(json);
        batch.bytes += json.length;
      } else {
        batch.findings.push(finding);
        batch.bytes += finding.message.length + 200;
      }
      if (batch.bytes >= BATCH_BYTES) flush();
    },
  });
  const passedUp: PassedUp[] = [];
  const parent: Frame = engine.detachedParent(job.parent, {
    foldable: new Set(job.parent.foldable),
    addChild: (child) => void passedUp.push(child),
    hold: () => {},
    finish: () => ({ rel: job.parent.rel, shares: [], given: [], size: { entries: 0, directories: 0, unread: false } }),
  });
  const done = (counters: WalkCounters) => {
    flush();
    post({
      kind: 'done',
      id: job.id,
      passedUp,
      ...AuditEngine.handedUp(parent),
      needs: parent.blockers.map((blocked) => blocked?.needs ?? 0),
      entries: counters.entries,
      aclUnknown: counters.aclUnknown,
      aclUnsupportedDevices: [...counters.aclUnsupportedDevices],
    });
  };
  const walker = openJob(job, engine, parent);
  if (!walker) {
    done({ entries: 1, aclUnknown: 0, aclUnsupportedDevices: new Set() });
    return { step: () => false, entries: 1, dispose: () => {} };
  }
  return {
    get entries() {
      return walker.entries;
    },
    dispose: () => walker.dispose(),
    step(budget) {
      let more = false;
      try {
        more = walker.step(budget);
      } finally {
        // Done, or failed (a bug): either way its descriptors go.
        if (!more) walker.dispose();
      }
      if (!more) done(walker.counters);
      return more;
    },
  };
}

/** Open the job's directory through its parent's descriptor and check it; undefined when it cannot be walked. */
function openJob(job: Job, engine: AuditEngine, parent: Frame): Walker<Frame> | undefined {
  // The job's entry is the planner's on the main thread: what is learnt here stays with this walk.
  const entry = { ...job.entry };
  const opened = Walker.openChecked(job.parentFd, job.name, entry);
  if (typeof opened !== 'number') {
    if (opened.code === 'ERACE') engine.error(entry.rel, entry.path, opened, parent);
    else Walker.enterUnlisted(engine, entry, parent, opened);
    return undefined;
  }
  const walker = new Walker({ entry, fd: opened, parent: { fd: job.parentFd, name: job.name } }, engine, parent);
  // The planner lstat()ed the job's directory but left opening it to the job: its ACLs are read
  // here, through the descriptor just checked, or the subtree's top would be judged by its mode alone.
  const acls = directoryAcls(opened, entry.dev);
  if (!acls.supported) walker.counters.aclUnsupportedDevices.add(entry.dev);
  if (acls.acl) entry.acl = acls.acl;
  if (acls.defaultAcl) entry.defaultAcl = acls.defaultAcl;
  return walker;
}

function emptyBatch(id: number): JobBatch {
  return { kind: 'batch', id, findings: [], serialized: undefined, counts: { errors: 0, warnings: 0, infos: 0, races: 0 }, bytes: 0 };
}
