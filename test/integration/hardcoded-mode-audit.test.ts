import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliJson } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { buildTree } from '../helpers/tree.js';
import { DEPLOY, isRoot, WEB, writeUserFiles } from '../helpers/users.js';

/**
 * The hardcoded-mode rule as part of `audit`: each call site once, at the severity its place
 * deserves, its mode fed into cross-context where the code names the directory, notes for what
 * could not be read, and no scan at all when the rule is off.
 */

const SMARTY = '/usr/share/php/smarty3/sysplugins/smarty_internal_runtime_writefile.php';
const SMARTY_IN_VENDOR = 'vendor/smarty/smarty/libs/sysplugins/smarty_internal_runtime_writefile.php';
const WWW = 21100;

interface Finding {
  rule: string;
  severity: string;
  path: string;
  role?: string;
  message: string;
  advice?: string;
  line?: number;
  mode?: string;
  writesIn?: string;
  reason?: string;
  site?: { file: string; line: number };
}

describe('hardcoded-mode in audit', () => {
  const tmp = makeTempDir('permcheck-hardcoded-');
  afterAll(() => tmp.cleanup());
  let flags: string[];
  let root: string;
  let marker: string;
  let path: string;

  beforeAll(() => {
    const users = writeUserFiles(tmp.path);
    root = join(tmp.path, 'app');
    const code = (rel: string, content: string) => ({ path: rel, type: 'file' as const, mode: 0o644, uid: DEPLOY.uid, gid: WWW, content });
    const dir = (rel: string, mode = 0o755) => ({ path: rel, type: 'dir' as const, mode, uid: DEPLOY.uid, gid: WWW });
    buildTree(root, [
      dir('.'),
      dir('src'),
      dir('var', 0o2775),
      dir('var/log', 0o2775),
      // Names the file it chmods: the scan can tell the directory.
      code(
        'src/Logger.php',
        '<?php\nfunction rotate() {\n  $log = __DIR__ . "/../var/log/app.log";\n  file_put_contents($log, "x");\n  chmod($log, 0600);\n}\n',
      ),
      // What Smarty 4.3 does: the umask decides, nothing to report.
      code('src/Store.php', '<?php\nfunction save($f) {\n  file_put_contents($f, "x");\n  chmod($f, 0666 & ~umask());\n}\n'),
      code('src/Broken.php', '<?php\nfunction broken( {\n  chmod($f, 0640);\n'),
      code(
        'permcheck.config.json',
        JSON.stringify({
          roles: { web: { user: WEB.name, umask: '0002' }, cli: { user: DEPLOY.name, umask: '0002' } },
          paths: [
            { match: '**', access: { web: 'read', cli: 'write' } },
            { match: 'var/**', access: { web: 'write', cli: 'write' } },
          ],
        }),
      ),
    ]);
    if (existsSync(SMARTY)) {
      mkdirSync(join(root, SMARTY_IN_VENDOR, '..'), { recursive: true });
      copyFileSync(SMARTY, join(root, SMARTY_IN_VENDOR));
    }
    // A grep that leaves a mark, then is GNU grep: whether the scan ran at all.
    const bin = join(tmp.path, 'bin');
    mkdirSync(bin);
    marker = join(tmp.path, 'grep-ran');
    writeFileSync(join(bin, 'grep'), `#!/bin/sh\n[ "$1" = --version ] || : >> '${marker}'\nexec /usr/bin/grep "$@"\n`);
    chmodSync(join(bin, 'grep'), 0o755);
    path = `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`;
    flags = [
      '--passwd',
      users.passwd,
      '--group',
      users.group,
      '--trust',
      String(DEPLOY.uid),
      '--format',
      'json',
      '--fail-on',
      'never',
      '--jobs',
      '1',
    ];
  });

  it.skipIf(!isRoot)('reports each call site once, feeds a named directory into cross-context, and notes what it could not parse', () => {
    const { json } = runCliJson(['audit', root, ...flags], { env: { ...process.env, PATH: path } });
    const found = json.findings as Finding[];
    const mine = found.filter((f) => f.rule === 'hardcoded-mode');
    expect(existsSync(marker)).toBe(true);

    const logger = mine.filter((f) => f.path === 'src/Logger.php');
    expect(logger).toHaveLength(1);
    expect(logger[0]).toMatchObject({ severity: 'error', line: 5, mode: '0600', writesIn: 'var/log' });
    expect(logger[0]!.advice).toBe('use 0666 & ~umask() instead of 0600, so the umask decides');
    // The mode the code fixes is the one cross-context predicts there, naming the call site.
    const cross = found.find((f) => f.rule === 'cross-context' && f.path === 'var/log' && f.role === 'cli');
    expect(cross?.message).toMatch(/files chmod 0600; src\/Logger\.php:5 decides it\) creates files 0600 /);
    expect(cross?.site).toEqual({ file: 'src/Logger.php', line: 5 });

    expect(mine.some((f) => f.path === 'src/Store.php')).toBe(false);
    const broken = mine.filter((f) => f.path === 'src/Broken.php');
    expect(broken.map((f) => [f.severity, f.reason ?? f.mode])).toEqual([
      ['warning', '0640'],
      ['info', 'syntax-error'],
    ]);

    if (existsSync(SMARTY)) {
      const smarty = mine.filter((f) => f.path === SMARTY_IN_VENDOR);
      // Smarty 3's umask(0), mkdir 0771 and chmod 0644: once each, at info in a dependency.
      expect(smarty.map((f) => [f.severity, f.mode])).toEqual([
        ['info', '0000'],
        ['info', '0771'],
        ['info', '0644'],
      ]);
      expect(smarty[2]!.message).toMatch(/files written or changed here are 0644 \(\$_file_perms\) whatever the umask/);
      expect(smarty[2]!.advice).toMatch(/^upgrade Smarty to 4\.3 or later/);
    }
  });

  // Failed: every WordPress install got warnings for wp-admin/includes/upgrade.php, whose advice was to
  // edit WordPress itself. Core code is the framework's, as vendor/ is its packages'.
  it.skipIf(!isRoot)("reports a mode hard-coded in WordPress's own code as a dependency's, the same in a plugin as the site's", () => {
    const site = join(tmp.path, 'wp');
    const chmod = '<?php\nfunction make_it($f) {\n  file_put_contents($f, "x");\n  chmod($f, 0777);\n}\n';
    const owned = { uid: DEPLOY.uid, gid: WWW };
    buildTree(site, [
      { path: '.', type: 'dir', mode: 0o755, ...owned },
      { path: 'wp-config.php', type: 'file', mode: 0o640, ...owned, content: '<?php\n' },
      { path: 'wp-admin/includes', type: 'dir', mode: 0o755, ...owned },
      { path: 'wp-admin/includes/upgrade.php', type: 'file', mode: 0o644, ...owned, content: chmod },
      { path: 'wp-content/plugins/shop', type: 'dir', mode: 0o755, ...owned },
      { path: 'wp-content/plugins/shop/make.php', type: 'file', mode: 0o644, ...owned, content: chmod },
    ]);
    const roles = ['--web-user', WEB.name, '--cli-user', DEPLOY.name];
    const { json } = runCliJson(['audit', site, ...flags, ...roles], { env: { ...process.env, PATH: path } });
    const mine = (json.findings as (Finding & { package?: string })[]).filter((f) => f.rule === 'hardcoded-mode');
    expect(mine.map((f) => [f.path, f.severity, f.package])).toEqual([
      ['wp-admin/includes/upgrade.php', 'info', 'WordPress core'],
      ['wp-content/plugins/shop/make.php', 'warning', undefined],
    ]);
    expect(mine[0]!.message).toContain('chmod (WordPress core): ');
  });

  it.skipIf(!isRoot)('reads no PHP at all when the rule is off', () => {
    const config = join(root, 'permcheck.config.json');
    const off = { ...JSON.parse(readFileSync(config, 'utf8')), rules: { 'hardcoded-mode': 'off' } };
    const offConfig = join(tmp.path, 'off.json');
    writeFileSync(offConfig, JSON.stringify(off));
    rmSync(marker, { force: true });
    const { json } = runCliJson(['audit', root, ...flags, '--config', offConfig], { env: { ...process.env, PATH: path } });
    expect((json.findings as Finding[]).filter((f) => f.rule === 'hardcoded-mode')).toEqual([]);
    expect(existsSync(marker)).toBe(false);
  });
});
