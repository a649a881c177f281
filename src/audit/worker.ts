import { parentPort } from 'node:worker_threads';
import { CompiledPolicy, type PolicyRule } from '../policy/compile.js';
import { UserDatabase } from '../users/database.js';
import { getentNameService } from '../users/getent.js';
import type { GroupRecord, UserRecord } from '../users/records.js';
import { plain } from '../paint.js';
import { REPORTERS, type Format } from '../reporters/index.js';
import { startJob, type JobContext } from './job-run.js';
import type { Job, JobMessage } from './job.js';
import type { AuditSettings } from '../rules/contract.js';

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

const post = (message: JobMessage) =>
  parentPort!.postMessage(message, message.kind === 'batch' && message.serialized ? [message.serialized.buffer as ArrayBuffer] : []);

let context: JobContext | undefined;

// The first message is the setup, every later one a job, audited in one go (nothing else runs here).
parentPort!.on('message', (message: WorkerSetup | Job) => {
  if (!context) context = prepare(message as WorkerSetup);
  else {
    const run = startJob(message as Job, context, post);
    while (run.step(65536));
  }
});

function prepare(setup: WorkerSetup): JobContext {
  return {
    settings: setup.settings,
    policy: new CompiledPolicy(setup.rules, setup.ignore, setup.settings.subjects.length, setup.only),
    names: new UserDatabase(setup.users, setup.groups, setup.source, setup.nameService ? getentNameService : undefined),
    serialize: REPORTERS[setup.format]({ paint: plain, verbose: false }).serialize,
  };
}
