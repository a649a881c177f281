import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCliJson } from '../helpers/cli.js';
import { randomTree } from '../helpers/random-tree.js';
import { makeTempDir } from '../helpers/tmp.js';
import { buildTree, pick, random, type EntrySpec } from '../helpers/tree.js';
import {
  CRON,
  DEPLOY,
  hasSetpriv,
  isRoot,
  ROOT_USER,
  runAs,
  STRANGER,
  VIEWER,
  WEB,
  writeUserFiles,
  type TestUser,
} from '../helpers/users.js';
import { describeNeeding, NEEDS_ROOT } from '../helpers/needs.js';

const PROBE = fileURLToPath(new URL('../helpers/probe.mjs', import.meta.url));
const hasSetfacl = spawnSync('setfacl', ['--version']).status === 0;
if (!hasSetfacl) console.warn('ACL parity tests skipped: setfacl (Debian package acl) is missing');

/**
 * Named entries for the test users and groups, never the stranger: "others" in permcheck means any
 * user no entry names, and the stranger plays it.
 */
const NAMED_USERS = [DEPLOY.uid, WEB.uid, CRON.uid, VIEWER.uid];
const NAMED_GROUPS = [21001, 21002, 21003, 21005, 21100, 21200];
const PERMS = ['---', 'r--', '-w-', '--x', 'rw-', 'r-x', '-wx', 'rwx'];

/** A random extended ACL for about half the entries: named users and groups, and a mask that is sometimes ---. */
function aclScript(entries: readonly EntrySpec[], root: string, seed: number): { script: string; withAcl: number } {
  const next = random(seed);
  const lines: string[] = [];
  let withAcl = 0;
  for (const entry of entries) {
    if (entry.type === 'symlink' || next() < 0.5) continue;
    const spec: string[] = [];
    for (const uid of NAMED_USERS) if (next() < 0.35) spec.push(`u:${uid}:${pick(next, PERMS)}`);
    for (const gid of NAMED_GROUPS) if (next() < 0.3) spec.push(`g:${gid}:${pick(next, PERMS)}`);
    if (next() < 0.3) spec.push(`g::${pick(next, PERMS)}`);
    // An explicit mask is kept as given (setfacl recomputes it only when none is given); --- included.
    if (next() < 0.6) spec.push(`m::${next() < 0.2 ? '---' : pick(next, PERMS)}`);
    if (spec.length === 0) spec.push(`u:${pick(next, NAMED_USERS)}:${pick(next, PERMS)}`);
    lines.push(`setfacl -m '${spec.join(',')}' '${join(root, entry.path)}'`);
    if (entry.type === 'dir' && next() < 0.3) lines.push(`setfacl -d -m 'u:${pick(next, NAMED_USERS)}:rwx' '${join(root, entry.path)}'`);
    withAcl++;
  }
  return { script: lines.join('\n') + '\n', withAcl };
}

const SUBJECTS: { role: string; user: TestUser }[] = [
  { role: 'web', user: WEB },
  { role: 'cli', user: DEPLOY },
  { role: 'cron', user: CRON },
  { role: 'viewer', user: VIEWER },
  { role: 'admin', user: ROOT_USER },
  { role: 'others', user: STRANGER },
];

type Verdict = { read: boolean; write: boolean; execute: boolean; delete: boolean; createInside?: boolean };

describeNeeding({
  [NEEDS_ROOT.setpriv]: isRoot,
  'setpriv (Debian package util-linux)': hasSetpriv(),
  'setfacl (Debian package acl)': hasSetfacl,
})('permcheck access agrees with the kernel on trees with POSIX ACLs', () => {
  const tmp = makeTempDir('permcheck-acl-parity-');
  afterAll(() => tmp.cleanup());
  const SEED = 20261124;
  const entries = randomTree(SEED, 320);
  let files: { passwd: string; group: string };
  let config: string;
  let probe: string;
  let withAcl = 0;
  const original = () => join(tmp.path, 'tree');

  beforeAll(() => {
    files = writeUserFiles(tmp.path);
    config = join(tmp.path, 'roles.json');
    writeFileSync(
      config,
      JSON.stringify({
        roles: {
          web: { user: 'web' },
          cli: { user: 'deploy' },
          cron: { user: 'cron' },
          viewer: { user: 'viewer' },
          admin: { user: 'root' },
        },
      }),
    );
    probe = join(tmp.path, 'probe.mjs');
    copyFileSync(PROBE, probe);
    buildTree(original(), entries);
    const acl = aclScript(entries, original(), SEED);
    withAcl = acl.withAcl;
    writeFileSync(join(tmp.path, 'acl.sh'), acl.script);
    execFileSync('bash', ['-e', join(tmp.path, 'acl.sh')]);
  });

  /** A copy with the same owners, modes and ACLs (cp -a keeps them). */
  function copy(name: string): string {
    const root = join(tmp.path, name);
    execFileSync('cp', ['-a', original(), root]);
    return root;
  }

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
    return json.results as { path: string; type: string; roles: Record<string, Verdict> }[];
  }

  it(`read, write, execute and create-inside match access(2) for every role (seed ${SEED})`, () => {
    const verdicts = permcheckVerdicts(original());
    const disagreements: string[] = [];
    for (const { role, user } of SUBJECTS) {
      const kernel = JSON.parse(
        runAs(user, process.execPath, [probe], { input: JSON.stringify({ mode: 'access', paths: verdicts.map((v) => v.path) }) }),
      );
      verdicts.forEach((verdict, i) => {
        for (const op of ['read', 'write', 'execute'] as const) {
          if (verdict.roles[role]![op] !== kernel[i][op])
            disagreements.push(`${role} ${op} ${verdict.path}: permcheck ${verdict.roles[role]![op]}, kernel ${kernel[i][op]}`);
        }
        if (verdict.type === 'directory' && verdict.roles[role]!.createInside !== kernel[i].writeSearch) {
          disagreements.push(
            `${role} create-inside ${verdict.path}: permcheck ${verdict.roles[role]!.createInside}, kernel ${kernel[i].writeSearch}`,
          );
        }
      });
    }
    expect(disagreements).toEqual([]);
  });

  it('delete matches a real unlink/rmdir on a copy, for every role', () => {
    const disagreements: string[] = [];
    for (const { role, user } of SUBJECTS) {
      const root = copy(`delete-${role}`);
      const verdicts = permcheckVerdicts(root);
      const order = verdicts.map((_, i) => i).sort((a, b) => verdicts[b]!.path.split('/').length - verdicts[a]!.path.split('/').length);
      const kernel = JSON.parse(
        runAs(user, process.execPath, [probe], { input: JSON.stringify({ mode: 'delete', paths: order.map((i) => verdicts[i]!.path) }) }),
      );
      order.forEach((index, k) => {
        const expected = verdicts[index]!.roles[role]!.delete;
        if (expected !== kernel[k].delete)
          disagreements.push(`${role} delete ${verdicts[index]!.path}: permcheck ${expected}, kernel ${kernel[k].delete}`);
      });
    }
    expect(disagreements).toEqual([]);
  });

  it('the tree carries ACLs on about half its entries, and they change the answers', () => {
    expect(withAcl).toBeGreaterThan(100);
    // Reading the same tree as if it had no ACLs gives other answers: the ACLs are seen and weigh.
    const stripped = copy('stripped');
    execFileSync('setfacl', ['-R', '-b', stripped]);
    const withAcls = permcheckVerdicts(original());
    const without = permcheckVerdicts(stripped);
    let differ = 0;
    withAcls.forEach((v, i) => {
      for (const { role } of SUBJECTS) if (JSON.stringify(v.roles[role]) !== JSON.stringify(without[i]!.roles[role])) differ++;
    });
    expect(differ).toBeGreaterThan(50);
  });
});
