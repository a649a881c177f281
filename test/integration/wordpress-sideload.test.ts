import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliJson } from '../helpers/cli.js';
import { HARNESS_PACKAGES, phpAvailable, runHarness } from '../helpers/php-harness.js';
import { makeTempDir } from '../helpers/tmp.js';
import { buildTree } from '../helpers/tree.js';
import { DEPLOY, hasSetpriv, isRoot, runAs, WEB, writeUserFiles } from '../helpers/users.js';

/**
 * A browser's upload is moved into wp-content/uploads (move_uploaded_file: it keeps the group PHP's
 * temp file had), but a sideload, WP-CLI's `wp media import` as the deploy user, is copied in: made in
 * place, it takes the setgid directory's group. The preset said "moved in" for every role, so after a
 * correct fix the audit still reported that the web user could not write what cli imports.
 */
const PROBE = fileURLToPath(new URL('../helpers/creation-probe.mjs', import.meta.url));
const WWW = 21100;
const need = HARNESS_PACKAGES['wordpress-sideload'];
const why = !isRoot
  ? ' (skipped: needs root)'
  : !hasSetpriv()
    ? ' (skipped: needs setpriv)'
    : !phpAvailable()
      ? ' (skipped: needs php, Debian package php8.2-cli)'
      : !existsSync(need.file)
        ? ` (skipped: install the Debian package ${need.package})`
        : '';

interface Finding {
  rule: string;
  path: string;
  role?: string;
  creator?: string;
}

describe.skipIf(why !== '')(`WordPress uploads made by WP-CLI${why}`, () => {
  const tmp = makeTempDir('permcheck-wp-sideload-');
  afterAll(() => tmp.cleanup());
  let flags: string[];
  let probe: string;
  beforeAll(() => {
    const users = writeUserFiles(tmp.path);
    flags = ['--passwd', users.passwd, '--group', users.group, '--trust', String(DEPLOY.uid)];
    probe = join(tmp.path, 'creation-probe.mjs');
    copyFileSync(PROBE, probe);
  });

  it('take the setgid group, as predicted, and the web user can write them: no cross-context finding', () => {
    const root = join(tmp.path, 'site');
    buildTree(root, [
      { path: '.', type: 'dir', mode: 0o755, uid: DEPLOY.uid, gid: WWW },
      { path: 'wp-config.php', type: 'file', mode: 0o640, uid: DEPLOY.uid, gid: WWW, content: '<?php\n' },
      { path: 'wp-content', type: 'dir', mode: 0o755, uid: DEPLOY.uid, gid: WWW },
      { path: 'wp-content/uploads', type: 'dir', mode: 0o2775, uid: DEPLOY.uid, gid: WWW },
    ]);
    // deploy's primary group is its own: a file moved in would keep it, one made in place takes www.
    const roles = { web: { user: WEB.name }, cli: { user: DEPLOY.name, umask: '0022' }, cron: { user: DEPLOY.name } };
    writeFileSync(join(root, 'permcheck.config.json'), JSON.stringify({ roles }));
    const uploads = join(root, 'wp-content/uploads');
    const explained = runCliJson(['explain', '0022', '--for', 'cli', '--in', uploads, '--json', ...flags]).json;
    expect(explained.file.group).toBe('www');

    // WordPress's own code, as deploy under umask 0022.
    const run = runHarness('wordpress-sideload', [uploads, '2026/05', 'import.jpg'], {
      uid: DEPLOY.uid,
      gid: DEPLOY.gid,
      groups: [WWW],
      umask: 0o022,
    });
    const made = run.entries.find((e) => e.path === '2026/05/import.jpg')!;
    expect({ mode: made.mode.toString(8), gid: made.gid }).toEqual({ mode: explained.file.mode.replace(/^0/, ''), gid: WWW });
    // The kernel's verdict for the web user on what WP-CLI made.
    const real = JSON.parse(
      runAs(WEB, process.execPath, [probe], {
        input: JSON.stringify({ file: join(uploads, '2026/05/import.jpg'), dir: join(uploads, '2026/05'), replace: false }),
      }),
    );
    expect(real.fileWrite).toBe(true);
    const findings = runCliJson(['audit', root, '--format', 'json', '--fail-on', 'never', '--jobs', '1', ...flags]).json
      .findings as Finding[];
    expect(findings.filter((f) => f.rule === 'cross-context' && f.creator === 'cli' && f.role === 'web')).toEqual([]);
  });
});
