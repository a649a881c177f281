import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCliJson } from '../helpers/cli.js';
import { describeNeeding, NEEDS_ROOT } from '../helpers/needs.js';
import { makeTempDir } from '../helpers/tmp.js';
import { buildTree, type EntrySpec } from '../helpers/tree.js';
import { DEPLOY, isRoot, WEB, writeUserFiles } from '../helpers/users.js';

const hasSetfacl = spawnSync('setfacl', ['--version']).status === 0;

/**
 * The parallel audit lists the top of the tree on the main thread and hands the directories of its
 * frontier (depth 4 at most) to workers, which open them. Each such directory's ACLs must be read
 * there too: here only the ACLs let web write var/, at every depth, so a directory judged by its
 * mode alone is an access-denied error that --jobs 1 does not report.
 */
describeNeeding({ [NEEDS_ROOT.chown]: isRoot, 'setfacl (Debian package acl)': hasSetfacl })(
  'ACLs at every depth of a parallel walk',
  () => {
    const tmp = makeTempDir('permcheck-acl-jobs-');
    afterAll(() => tmp.cleanup());
    let args: string[];

    beforeAll(() => {
      const users = writeUserFiles(tmp.path);
      const root = join(tmp.path, 'app');
      const owned = { uid: DEPLOY.uid, gid: DEPLOY.gid };
      const chain = ['var', 'var/a', 'var/a/b', 'var/a/b/c', 'var/a/b/c/d', 'var/a/b/c/d/e'];
      const entries: EntrySpec[] = [{ path: '.', type: 'dir', mode: 0o755, ...owned }];
      for (const dir of chain) {
        entries.push({ path: dir, type: 'dir', mode: 0o755, ...owned });
        entries.push({ path: `${dir}/x.php`, type: 'file', mode: 0o644, ...owned });
      }
      // Wide too, so the frontier also holds directories split off by count, not only by depth.
      for (let i = 0; i < 40; i++) entries.push({ path: `var/w${i}/y.php`, type: 'file', mode: 0o644, ...owned });
      for (let i = 0; i < 40; i++) entries.push({ path: `var/w${i}`, type: 'dir', mode: 0o755, ...owned });
      buildTree(root, entries);
      const recipe = ['-m', `u:${WEB.uid}:rwX`, '-m', `u:${DEPLOY.uid}:rwX`];
      expect(spawnSync('setfacl', ['-R', ...recipe, join(root, 'var')]).status).toBe(0);
      expect(spawnSync('setfacl', ['-dR', ...recipe, join(root, 'var')]).status).toBe(0);
      const config = join(tmp.path, 'config.json');
      writeFileSync(
        config,
        JSON.stringify({
          roles: { web: { user: 'web' }, cli: { user: 'deploy' }, cron: { user: 'deploy' } },
          paths: [
            { match: '**', access: { web: 'read', cli: 'write', cron: 'read' } },
            { match: 'var/**', access: { web: 'write', cli: 'write', cron: 'write' } },
          ],
        }),
      );
      args = ['audit', root, '--format', 'json', '--fail-on', 'never', '--ignore-ancestors'];
      args.push('--config', config, '--passwd', users.passwd, '--group', users.group);
    });

    it('--jobs 1, 2 and 3: no error, the same findings', () => {
      const runs = ['1', '2', '3'].map((jobs) => runCliJson<{ findings: { severity: string }[] }>([...args, '--jobs', jobs]).json);
      expect(runs[0]!.findings.filter((f) => f.severity === 'error')).toEqual([]);
      for (const run of runs.slice(1)) expect(run.findings).toEqual(runs[0]!.findings);
    });
  },
);
