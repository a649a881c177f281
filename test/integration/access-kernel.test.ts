import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCliJson } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { randomTree } from '../helpers/random-tree.js';
import { buildTree } from '../helpers/tree.js';
import { CRON, DEPLOY, hasSetpriv, isRoot, ROOT_USER, runAs, STRANGER, WEB, writeUserFiles, type TestUser } from '../helpers/users.js';
import { describeNeeding, NEEDS_ROOT } from '../helpers/needs.js';

const PROBE = fileURLToPath(new URL('../helpers/probe.mjs', import.meta.url));
const SUBJECTS: { role: string; user: TestUser }[] = [
  { role: 'web', user: WEB },
  { role: 'cli', user: DEPLOY },
  { role: 'cron', user: CRON },
  { role: 'admin', user: ROOT_USER },
  { role: 'others', user: STRANGER },
];

describeNeeding({ [NEEDS_ROOT.setpriv]: isRoot, 'setpriv (Debian package util-linux)': hasSetpriv() })(
  'permcheck access agrees with the kernel',
  () => {
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
      return json.results as {
        path: string;
        roles: Record<string, { read: boolean; write: boolean; execute: boolean; delete: boolean }>;
      }[];
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
  },
);
