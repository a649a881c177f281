import { copyFileSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliJson } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { buildTree, pick, random, type EntrySpec } from '../helpers/tree.js';
import { CRON, DEPLOY, hasSetpriv, isRoot, ROOT_USER, runAs, STRANGER, WEB, writeUserFiles, type TestUser } from '../helpers/users.js';

const PROBE = fileURLToPath(new URL('../helpers/probe.mjs', import.meta.url));
const OWNERS = [0, DEPLOY.uid, WEB.uid, CRON.uid];
const GIDS = [0, 21001, 21002, 21003, 21100, 21200];
const DIR_MODES = [
  0o755, 0o750, 0o700, 0o770, 0o775, 0o777, 0o711, 0o730, 0o1777, 0o1770, 0o2770, 0o2750, 0o2775, 0o300, 0o000, 0o570, 0o705,
];
const FILE_MODES = [
  0o644, 0o640, 0o600, 0o660, 0o664, 0o666, 0o755, 0o750, 0o4755, 0o2755, 0o444, 0o044, 0o000, 0o200, 0o100, 0o604, 0o060,
];

/** A few hundred entries with owners, groups and modes drawn from what real trees hold, and worse. */
function randomTree(seed: number, count: number): EntrySpec[] {
  const next = random(seed);
  const dirs = [''];
  const entries: EntrySpec[] = [];
  for (let i = 0; entries.length < count; i++) {
    const parent = pick(next, dirs);
    if (parent.split('/').length > 5) continue;
    const path = posix.join(parent, `e${i}`);
    const roll = next();
    const owner = { uid: pick(next, OWNERS), gid: pick(next, GIDS) };
    if (roll < 0.3) {
      const mode = next() < 0.8 ? pick(next, DIR_MODES) : Math.floor(next() * 0o4000);
      entries.push({ path, type: 'dir', mode, ...owner });
      dirs.push(path);
    } else if (roll < 0.9 || entries.length === 0) {
      const mode = next() < 0.8 ? pick(next, FILE_MODES) : Math.floor(next() * 0o10000);
      entries.push({ path, type: 'file', mode, ...owner });
    } else {
      // A relative link to an entry made earlier: access follows it, delete removes the link.
      const target = pick(
        next,
        entries.filter((e) => e.type !== 'symlink'),
      ).path;
      entries.push({ path, type: 'symlink', target: posix.relative(parent, target) || '.', ...owner });
    }
  }
  return entries;
}

const SUBJECTS: { role: string; user: TestUser }[] = [
  { role: 'web', user: WEB },
  { role: 'cli', user: DEPLOY },
  { role: 'cron', user: CRON },
  { role: 'admin', user: ROOT_USER },
  { role: 'others', user: STRANGER },
];

describe.skipIf(!isRoot || !hasSetpriv())('permcheck access agrees with the kernel', () => {
  const tmp = makeTempDir('permcheck-parity-');
  afterAll(() => tmp.cleanup());
  const SEED = 20261123;
  const entries = randomTree(SEED, 320);
  let files: { passwd: string; group: string };
  let config: string;
  let probe: string;

  beforeAll(() => {
    files = writeUserFiles(tmp.path);
    config = join(tmp.path, 'roles.json');
    writeFileSync(
      config,
      JSON.stringify({ roles: { web: { user: 'web' }, cli: { user: 'deploy' }, cron: { user: 'cron' }, admin: { user: 'root' } } }),
    );
    // The probe must be readable by every test user, wherever the checkout lives.
    probe = join(tmp.path, 'probe.mjs');
    copyFileSync(PROBE, probe);
  });

  function permcheckVerdicts(root: string) {
    const paths = entries.map((e) => join(root, e.path));
    const { result, json } = runCliJson([
      'access',
      '--json',
      '--config',
      config,
      '--passwd',
      files.passwd,
      '--group',
      files.group,
      ...paths,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return json.results as { path: string; roles: Record<string, { read: boolean; write: boolean; execute: boolean; delete: boolean }> }[];
  }

  it(`read, write and execute match access(2) for every role (seed ${SEED})`, () => {
    const root = join(tmp.path, 'tree');
    buildTree(root, entries);
    const verdicts = permcheckVerdicts(root);
    const disagreements: string[] = [];
    for (const { role, user } of SUBJECTS) {
      const paths = verdicts.map((v) => v.path);
      const kernel = JSON.parse(runAs(user, process.execPath, [probe], { input: JSON.stringify({ mode: 'access', paths }) }));
      verdicts.forEach((verdict, i) => {
        for (const op of ['read', 'write', 'execute'] as const) {
          if (verdict.roles[role]![op] !== kernel[i][op])
            disagreements.push(`${role} ${op} ${verdict.path}: permcheck ${verdict.roles[role]![op]}, kernel ${kernel[i][op]}`);
        }
      });
    }
    expect(disagreements).toEqual([]);
  });

  it('delete matches a real unlink/rmdir on a fresh copy, for every role', () => {
    const disagreements: string[] = [];
    let denied = 0;
    for (const { role, user } of SUBJECTS) {
      const root = join(tmp.path, `delete-${role}`);
      buildTree(root, entries);
      const verdicts = permcheckVerdicts(root);
      // Deepest first, so every entry is tried while it and its parent still exist.
      const order = verdicts.map((v, i) => i).sort((a, b) => verdicts[b]!.path.split('/').length - verdicts[a]!.path.split('/').length);
      const paths = order.map((i) => verdicts[i]!.path);
      const kernel = JSON.parse(runAs(user, process.execPath, [probe], { input: JSON.stringify({ mode: 'delete', paths }) }));
      order.forEach((index, k) => {
        const expected = verdicts[index]!.roles[role]!.delete;
        if (!expected) denied++;
        if (expected !== kernel[k].delete)
          disagreements.push(`${role} delete ${verdicts[index]!.path}: permcheck ${expected}, kernel ${kernel[k].delete}`);
      });
    }
    expect(disagreements).toEqual([]);
    // The tree must exercise both outcomes, or the comparison proves nothing.
    expect(denied).toBeGreaterThan(100);
  });

  it('the tree exercises every class and outcome', () => {
    const verdicts = permcheckVerdicts(join(tmp.path, 'tree'));
    const seen = new Set<string>();
    for (const v of verdicts) for (const [role, r] of Object.entries(v.roles)) seen.add(`${role}:${(r as { read: boolean }).read}`);
    for (const role of ['web', 'cli', 'cron', 'others']) {
      expect(seen.has(`${role}:true`)).toBe(true);
      expect(seen.has(`${role}:false`)).toBe(true);
    }
  });
});
