import { parentPort } from 'node:worker_threads';
import { CompiledPolicy, type PolicyRule } from '../policy/compile.js';
import { UserDatabase } from '../users/database.js';
import { getentNameService } from '../users/getent.js';
import type { GroupRecord, UserRecord } from '../users/records.js';
import { plain } from '../paint.js';
import { REPORTERS, type Format } from '../reporters/index.js';
import { readSecretContent } from '../secret/read.js';
import { directoryAcls } from '../walk/acl-read.js';
import { Walker, type WalkCounters } from '../walk/walker.js';
import { AuditEngine, type Frame } from './engine.js';
import { toFinding } from './finding.js';
import { countFinding } from './run.js';
import { JSON_SEPARATOR, type Job, type JobBatch, type JobMessage, type PassedUp } from './job.js';
import type { AuditSettings, Finding } from '../rules/contract.js';

/** Everything a worker needs once: plain data from the main thread's plan. */
export interface WorkerSetup {
  settings: AuditSettings;
  rules: PolicyRule[];
  ignore: string[];
  only: string[];
  users: UserRecord[];
  groups: GroupRecord[];
  source: string;
  nameService: boolean;
  /** The output format: a streaming one serializes findings here, the cheapest to pass and to hold. */
  format: Format;
}

/** A batch goes out once it holds about this much, so no thread holds a whole subtree's report. */
const BATCH_BYTES = 256 * 1024;

/** What a worker holds once set up: built from the setup the main thread sends first. */
interface Ready {
  setup: WorkerSetup;
  policy: CompiledPolicy;
  context: { settings: AuditSettings; names: UserDatabase };
  serialize: ((finding: Finding) => string) | undefined;
}

const post = (message: JobMessage) =>
  parentPort!.postMessage(message, message.kind === 'batch' && message.serialized ? [message.serialized.buffer as ArrayBuffer] : []);

let ready: Ready | undefined;

// Workers start before the plan exists (their modules load while the main thread plans): the first
// message is the setup, every later one a job.
parentPort!.on('message', (message: WorkerSetup | Job) => {
  if (!ready) ready = prepare(message as WorkerSetup);
  else runJob(message as Job, ready);
});

function prepare(setup: WorkerSetup): Ready {
  return {
    setup,
    policy: new CompiledPolicy(setup.rules, setup.ignore, setup.settings.subjects.length, setup.only),
    context: {
      settings: setup.settings,
      names: new UserDatabase(setup.users, setup.groups, setup.source, setup.nameService ? getentNameService : undefined),
    },
    serialize: REPORTERS[setup.format]({ paint: plain, verbose: false }).serialize,
  };
}

/** Audit one subtree with the same engine the main thread uses, streaming what it finds. */
function runJob(job: Job, { setup, policy, context, serialize }: Ready): void {
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
    settings: setup.settings,
    policy,
    ancestorBlocks: [],
    secretContent: readSecretContent,
    emit: (candidate) => {
      const finding = toFinding(candidate, context);
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
  const counters = walkJob(job, engine, parent);
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
}

/** Open the job's directory through its parent's descriptor, check it, and walk it. */
function walkJob(job: Job, engine: AuditEngine, parent: Frame): WalkCounters {
  const opened = Walker.openChecked(job.parentFd, job.name, job.entry);
  if (typeof opened !== 'number') {
    if (opened.code === 'ERACE') engine.error(job.entry.rel, job.entry.path, opened, parent);
    else Walker.enterUnlisted(engine, job.entry, parent, opened);
    return { entries: 1, aclUnknown: 0, aclUnsupportedDevices: new Set() };
  }
  const walker = new Walker({ entry: job.entry, fd: opened, parent: { fd: job.parentFd, name: job.name } }, engine, parent);
  // The planner lstat()ed the job's directory but left opening it to the worker: its ACLs are read
  // here, through the descriptor just checked, or the subtree's top would be judged by its mode alone.
  const acls = directoryAcls(opened);
  if (!acls.supported) walker.counters.aclUnsupportedDevices.add(job.entry.dev);
  if (acls.acl) job.entry.acl = acls.acl;
  if (acls.defaultAcl) job.entry.defaultAcl = acls.defaultAcl;
  while (walker.step(65536));
  return walker.counters;
}

function emptyBatch(id: number): JobBatch {
  return { kind: 'batch', id, findings: [], serialized: undefined, counts: { errors: 0, warnings: 0, infos: 0, races: 0 }, bytes: 0 };
}
