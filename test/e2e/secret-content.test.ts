import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { BIN, runCli, runCliJson } from '../helpers/cli.js';
import { describeNeeding, NEEDS_ROOT } from '../helpers/needs.js';
import type { Finding } from '../../src/rules/contract.js';
import { makeTempDir } from '../helpers/tmp.js';
import { buildTree } from '../helpers/tree.js';
import { CRON, DEPLOY, isRoot, runCliAs, STRANGER, writeUserFiles } from '../helpers/users.js';

const STUB = '/usr/share/wordpress/wp-config.php';
/** The value must never reach any output: only the names of the keys that hold it. */
const VALUE = 'Hunter2-never-printed';
const CREDENTIALS = `<?php\ndefine('DB_NAME', 'wp');\ndefine('DB_PASSWORD', '${VALUE}');\ndefine('AUTH_KEY', '${VALUE}-key');\n`;

/**
 * A file counts as a secret by what it holds where that is cheap to see: Debian's wp-config.php stub
 * (which only requires /etc/wordpress/config-*.php) is not one; a wp-config.php that defines
 * DB_PASSWORD is, and the message says so without the value. What cannot be read stays a secret by
 * its path, and nothing named like a secret is ever followed or opened in a way that blocks.
 */
describeNeeding({ [NEEDS_ROOT.chown]: isRoot })('secrets by their content', () => {
  const tmp = makeTempDir('permcheck-secret-');
  let flags: string[];
  beforeAll(() => {
    const users = writeUserFiles(tmp.path);
    flags = ['--passwd', users.passwd, '--group', users.group, '--web-user', 'web', '--cli-user', 'deploy', '--no-discover'];
    flags.push('--ignore-ancestors', '--preset', 'wordpress');
  });
  afterAll(() => tmp.cleanup());

  const tree = (
    name: string,
    files: { path: string; content?: string; mode?: number; uid?: number; gid?: number }[],
    dirs: string[] = [],
  ) => {
    const root = join(tmp.path, name);
    buildTree(root, [
      // Root's, so that the permcheck.config.json written in it is trusted.
      { path: '.', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
      ...dirs.map((path) => ({ path, type: 'dir' as const, mode: 0o755, uid: DEPLOY.uid, gid: 21100 })),
      ...files.map((file) => ({ type: 'file' as const, mode: 0o644, uid: DEPLOY.uid, gid: 21100, ...file })),
    ]);
    return root;
  };
  const secrets = (findings: Finding[]) => findings.filter((f) => f.rule === 'secret-exposed');

  it.skipIf(!existsSync(STUB))("Debian's wp-config.php stub is not a secret: an info names what it includes", () => {
    const root = tree('debian', []);
    copyFileSync(STUB, join(root, 'wp-config.php'));
    const { json } = runCliJson<{ findings: Finding[] }>(['audit', root, '--format', 'json', ...flags]);
    expect(secrets(json.findings)).toEqual([
      expect.objectContaining({
        severity: 'info',
        path: 'wp-config.php',
        role: 'others',
        message:
          'wp-config.php (-rw-r--r-- root:root) is readable by others but holds no secret: it sets no credential, so they come from ' +
          "what it includes: $debian_file, $debian_main_file, /etc/wordpress/config-default.php and ABSPATH . 'wp-settings.php'",
        includes: ['$debian_file', '$debian_main_file', '/etc/wordpress/config-default.php', "ABSPATH . 'wp-settings.php'"],
      }),
    ]);
    // Nor does the plan close it: `permcheck fix` leaves its mode alone.
    runCli(['fix', root, '--yes', ...flags]);
    expect(execFileSync('stat', ['-c', '%a', join(root, 'wp-config.php')], { encoding: 'utf8' }).trim()).toBe('644');
  });

  it('a wp-config.php that defines DB_PASSWORD at 0644 is, says why, and never prints the value (text, JSON, SARIF, --jobs 1 and 2)', () => {
    // Deep enough that --jobs 2 hands the lower copy to a worker thread.
    const root = tree(
      'credentials',
      [
        { path: 'wp-config.php', content: CREDENTIALS },
        { path: 'a/b/c/d/e/wp-config.php', content: CREDENTIALS },
      ],
      ['a', 'a/b', 'a/b/c', 'a/b/c/d', 'a/b/c/d/e'],
    );
    writeFileSync(join(root, 'permcheck.config.json'), JSON.stringify({ paths: [{ match: '**/wp-config.php', secret: true }] }));
    const why = '; a secret because it sets DB_PASSWORD and AUTH_KEY';
    for (const jobs of ['1', '2']) {
      const { result, json } = runCliJson<{ findings: Finding[] }>(['audit', root, '--format', 'json', '--jobs', jobs, ...flags]);
      expect(secrets(json.findings).map((f) => [f.path, f.severity, f.role, f.message])).toEqual(
        ['a/b/c/d/e/wp-config.php', 'wp-config.php'].map((path) => [
          path,
          'error',
          'others',
          `secret ${path} (-rw-r--r-- deploy:www) is readable by others by its own mode${why}`,
        ]),
      );
      expect(result.stdout).not.toContain(VALUE);
      expect(result.code).toBe(1);
    }
    for (const format of ['text', 'sarif', 'github']) {
      const { stdout, stderr } = runCli(['audit', root, '--format', format, '--verbose', ...flags]);
      expect(stdout).toContain('DB_PASSWORD');
      expect(stdout + stderr).not.toContain(VALUE);
    }
  });

  it('a FIFO and a symlink named wp-config.php: nothing blocks, nothing is followed', () => {
    const outside = tree('outside', [{ path: 'wp-config.php', content: CREDENTIALS }]);
    const root = tree('odd', []);
    execFileSync('mkfifo', ['-m', '0644', join(root, 'wp-config.php')]);
    mkdirSync(join(root, 'sub'));
    symlinkSync(join(outside, 'wp-config.php'), join(root, 'sub', 'wp-config.php'));
    writeFileSync(join(root, 'permcheck.config.json'), JSON.stringify({ paths: [{ match: '**/wp-config.php', secret: true }] }));
    const run = spawnSync(process.execPath, [BIN, 'audit', root, '--format', 'json', ...flags], { encoding: 'utf8', timeout: 30_000 });
    expect(run.signal).toBeNull();
    const found = secrets(JSON.parse(run.stdout).findings);
    // The FIFO is judged by its mode and path (it is never opened); the link is not judged at all.
    expect(found.map((f) => [f.path, f.message])).toEqual([
      [
        'wp-config.php',
        'secret wp-config.php (prw-r--r-- root:root) is readable by others by its own mode; a secret by its path (the policy marks it secret)',
      ],
    ]);
    expect(run.stdout).not.toContain('DB_PASSWORD');
  });

  it('a secret this user cannot read stays a secret, and says why its content did not decide', () => {
    // What would not be a secret if it could be read: it only includes another file.
    const root = tree('unreadable', [
      { path: 'wp-config.php', content: "<?php require '/etc/wp/config.php';\n", mode: 0o640, gid: CRON.gid },
    ]);
    const cronNone = JSON.stringify({ paths: [{ match: 'wp-config.php', secret: true, access: { cron: 'none' } }] });
    writeFileSync(join(root, 'permcheck.config.json'), cronNone);
    const cron = ['--cron-user', 'cron'];
    const asStranger = runCliAs(STRANGER, inject('publicBin'), ['audit', root, '--format', 'json', ...flags, ...cron]);
    const found: Finding[] = secrets(JSON.parse(asStranger.stdout).findings);
    expect(found.map((f) => [f.severity, f.role, f.message])).toEqual([
      [
        'error',
        'cron',
        'secret wp-config.php (-rw-r----- deploy:cron) is readable by cron, whose access there is none: cron is in group cron; ' +
          'a secret by its path (the policy marks it secret); its content did not decide: this user cannot read it (EACCES)',
      ],
    ]);
    // Root reads it: it holds no credential, so it is no secret, and at 0640 nothing is said of it.
    expect(secrets(runCliJson<{ findings: Finding[] }>(['audit', root, '--format', 'json', ...flags, ...cron]).json.findings)).toEqual([]);
  });
});
