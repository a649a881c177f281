import { writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { planAudit } from '../../src/audit/plan.js';
import { fixInvocation } from '../../src/commands/audit.js';
import { runCliJson } from '../helpers/cli.js';
import { referenceAudit } from '../helpers/reference-walk.js';
import { makeTempDir } from '../helpers/tmp.js';
import { buildTree, pick, random, type EntrySpec } from '../helpers/tree.js';
import { CRON, DEPLOY, isRoot, WEB, writeUserFiles } from '../helpers/users.js';
import { describeNeeding, NEEDS_ROOT } from '../helpers/needs.js';

/** Deep and wide enough that the parallel path splits it into many subtrees. */
function randomTree(seed: number, count: number): EntrySpec[] {
  const next = random(seed);
  const dirs = [''];
  const entries: EntrySpec[] = [{ path: '.', type: 'dir', mode: 0o755, uid: DEPLOY.uid, gid: 21100 }];
  const owners = [0, DEPLOY.uid, WEB.uid, CRON.uid];
  const groups = [0, 21100, 21200, 21001];
  const dirModes = [0o755, 0o2775, 0o2770, 0o700, 0o777, 0o1777, 0o750, 0o711];
  const fileModes = [0o644, 0o664, 0o640, 0o600, 0o666, 0o4755, 0o755, 0o444];
  const tops = ['var', 'vendor', 'pub', 'generated', 'app', 'node_modules'];
  for (const top of tops) {
    entries.push({ path: top, type: 'dir', mode: 0o2775, uid: DEPLOY.uid, gid: 21100 });
    dirs.push(top);
  }
  // Mostly uniform, so aggregation has subtrees to fold; odd modes and owners here and there.
  for (let i = 0; entries.length < count; i++) {
    const parent = pick(next, dirs.slice(1));
    if (parent.split('/').length > 7) continue;
    const path = posix.join(parent, `${next() < 0.5 ? 'e' : 'E'}${i}${next() < 0.1 ? '.tmp' : ''}`);
    const odd = next() < 0.08;
    const owner = odd ? { uid: pick(next, owners), gid: pick(next, groups) } : { uid: DEPLOY.uid, gid: 21100 };
    const roll = next();
    if (roll < 0.3) {
      entries.push({ path, type: 'dir', mode: odd ? pick(next, dirModes) : 0o2775, ...owner });
      dirs.push(path);
    } else if (roll < 0.97) {
      entries.push({ path, type: 'file', mode: odd ? pick(next, fileModes) : 0o664, ...owner });
    } else {
      entries.push({ path, type: 'symlink', target: '../x', ...owner });
    }
  }
  return entries;
}

describeNeeding({ [NEEDS_ROOT.chown]: isRoot })('the fast paths give exactly what a reference walk gives', () => {
  const tmp = makeTempDir('permcheck-equivalence-');
  afterAll(() => tmp.cleanup());
  let users: { passwd: string; group: string };
  let config: string;

  beforeAll(() => {
    users = writeUserFiles(tmp.path);
    config = join(tmp.path, 'policy.json');
    writeFileSync(
      config,
      JSON.stringify({
        preset: 'magento2',
        roles: { web: { user: 'web', umask: '0022' }, cli: { user: 'deploy' }, cron: { user: 'cron', groups: ['cron', 'www'] } },
        paths: [
          { match: 'node_modules/**', access: { web: 'none' } },
          { match: '**/*.tmp', access: { cron: 'write' } },
        ],
        ignore: ['**/E1*'],
      }),
    );
  });

  /** The reference walk of `root`, and a check that each run of the CLI gives exactly its findings. */
  async function compare(root: string, extra: { only?: string[] } = {}) {
    const options = { config, passwd: users.passwd, group: users.group, ignore: [] as string[], ...extra };
    const reference = referenceAudit(await planAudit(root, { ...options, fixInvocation: (resolved) => fixInvocation(resolved, options) }));
    const flags = ['audit', root, '--format', 'json', '--config', config, '--passwd', users.passwd, '--group', users.group];
    for (const glob of extra.only ?? []) flags.push('--only', glob);
    const matches = (jobs: string, env: NodeJS.ProcessEnv = {}) => {
      const { json } = runCliJson([...flags, '--jobs', jobs], { env: { ...process.env, ...env } });
      const label = `--jobs ${jobs}${env.PERMCHECK_THREADS_AFTER ? `, threads after ${env.PERMCHECK_THREADS_AFTER} entries` : ''}${
        env.PERMCHECK_NATIVE === '0' ? ', through /proc without the native calls' : ''
      }`;
      expect(json.findings, label).toEqual(reference.findings);
      expect(json.summary.entries, label).toBe(reference.entries);
    };
    return { reference, matches };
  }

  // The test helper starts threads at once for --jobs above 1: these trees are walked on threads.
  it.each([1, 2, 3])('random tree %i: --jobs 1, 2 and 3 match the reference, finding for finding, in order', async (seed) => {
    const root = join(tmp.path, `tree${seed}`);
    buildTree(root, randomTree(seed, 2500));
    const { reference, matches } = await compare(root);
    // The tree must give the comparison something to compare: many findings, folded subtrees.
    expect(reference.findings.length).toBeGreaterThan(50);
    expect(reference.findings.some((f) => f.entries > 10)).toBe(true);
    for (const jobs of ['1', '2', '3']) matches(jobs);
    // Where koffi cannot load, the walk reaches entries through /proc/self/fd: the same findings.
    for (const jobs of ['1', '2']) matches(jobs, { PERMCHECK_NATIVE: '0' });
  });

  it('matches the reference when the main thread walks the first jobs and threads take the rest', async () => {
    // Narrow down to the planner's depth limit, then ten subtrees of 300 entries: jobs that are not
    // "wide", so with PERMCHECK_THREADS_AFTER=500 the main thread walks the first two itself and
    // worker threads start part way through and take the other eight.
    const root = join(tmp.path, 'narrow');
    const next = random(7);
    const entries: EntrySpec[] = [{ path: '.', type: 'dir', mode: 0o755, uid: DEPLOY.uid, gid: 21100 }];
    for (const dir of ['var', 'var/a', 'var/a/b']) entries.push({ path: dir, type: 'dir', mode: 0o2775, uid: DEPLOY.uid, gid: 21100 });
    for (let d = 0; d < 10; d++) {
      const dir = `var/a/b/d${d}`;
      entries.push({ path: dir, type: 'dir', mode: d === 3 ? 0o777 : 0o2775, uid: DEPLOY.uid, gid: 21100 });
      for (let f = 0; f < 300; f++) {
        const odd = next() < 0.05;
        entries.push({ path: `${dir}/f${f}`, type: 'file', mode: odd ? 0o600 : 0o664, uid: odd ? WEB.uid : DEPLOY.uid, gid: 21100 });
      }
    }
    buildTree(root, entries);
    const { reference, matches } = await compare(root);
    expect(reference.findings.length).toBeGreaterThan(10);
    matches('1');
    matches('2', { PERMCHECK_THREADS_AFTER: '500' });
    // As a user runs it: 3,000 entries stay on the main thread.
    matches('2', { PERMCHECK_THREADS_AFTER: '' });
  });

  it('matches the reference with --only, which prunes what cannot match', async () => {
    const root = join(tmp.path, 'tree1');
    const { reference, matches } = await compare(root, { only: ['vendor/**', '**/*.tmp'] });
    expect(reference.findings.length).toBeGreaterThan(10);
    for (const jobs of ['1', '2']) matches(jobs);
  });
});
