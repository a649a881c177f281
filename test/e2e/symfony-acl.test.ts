import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, runCliJson } from '../helpers/cli.js';
import { canMakeUsers, HostUsers, runAsHost, type HostUser } from '../helpers/host-users.js';
import { describeNeeding, itNeeding, NEEDS_ROOT } from '../helpers/needs.js';
import { HARNESS_PACKAGES, phpAvailable } from '../helpers/php-harness.js';
import type { Finding } from '../../src/rules/contract.js';
import { makeTempDir } from '../helpers/tmp.js';
import { buildTree } from '../helpers/tree.js';

const hasSetfacl = spawnSync('setfacl', ['--version']).status === 0;
const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;
const DUMPFILE = new URL('../helpers/php/symfony-dumpfile.php', import.meta.url).pathname;
const hasSymfonyFilesystem = phpAvailable() && existsSync(HARNESS_PACKAGES['symfony-dumpfile'].file);

interface Verdict {
  read: boolean;
  write: boolean;
  delete: boolean;
}
interface AccessResult {
  path: string;
  acl?: { entries: string[] };
  roles: Record<string, Verdict>;
}

/**
 * Symfony's own recipe (https://symfony.com/doc/current/setup/file_permissions.html), on real accounts:
 * a tree deployed 0755/0644 deploy:deploy, then, as the deploy user, the two setfacl lines of the docs.
 * Only the preset says what var/ is for: no config, no paths written here.
 */
describeNeeding({
  [NEEDS_ROOT.chown]: canMakeUsers,
  'useradd (Debian package passwd)': canMakeUsers,
  'setfacl (Debian package acl)': hasSetfacl,
  'setpriv (Debian package util-linux)': hasSetpriv,
})('the Symfony setfacl recipe under --preset symfony, with real users', () => {
  const accounts = new HostUsers();
  let tmp: ReturnType<typeof makeTempDir>;
  let root: string;
  let web: HostUser;
  let deploy: HostUser;

  beforeAll(() => {
    tmp = makeTempDir('permcheck-symfony-acl-');
    web = accounts.user('pcsfweb');
    deploy = accounts.user('pcsfdeploy');
    root = join(tmp.path, 'app');
    const owned = { uid: deploy.uid, gid: deploy.gid };
    buildTree(root, [
      { path: '.', type: 'dir', mode: 0o755, ...owned },
      { path: 'bin/console', type: 'file', mode: 0o755, ...owned, content: '#!/usr/bin/env php\n' },
      { path: 'bin', type: 'dir', mode: 0o755, ...owned },
      { path: 'symfony.lock', type: 'file', ...owned, content: '{}\n' },
      { path: 'composer.json', type: 'file', ...owned, content: '{}\n' },
      { path: '.env', type: 'file', ...owned, content: 'APP_ENV=prod\n' },
      { path: 'config', type: 'dir', ...owned },
      { path: 'config/services.yaml', type: 'file', ...owned },
      { path: 'public', type: 'dir', ...owned },
      { path: 'public/index.php', type: 'file', ...owned, content: '<?php\n' },
      { path: 'src', type: 'dir', ...owned },
      { path: 'src/Kernel.php', type: 'file', ...owned, content: '<?php\n' },
      { path: 'var', type: 'dir', ...owned },
      { path: 'var/cache', type: 'dir', ...owned },
      { path: 'var/cache/prod', type: 'dir', ...owned },
      { path: 'var/cache/prod/App_KernelProdContainer.php', type: 'file', ...owned },
      { path: 'var/log', type: 'dir', ...owned },
    ]);
    // The docs' lines, as written there; the deploy user owns var/, so it needs no sudo.
    const recipe = [
      'cd "$1" && HTTPDUSER="$2"',
      'setfacl -dR -m u:"$HTTPDUSER":rwX -m u:$(whoami):rwX var',
      'setfacl -R -m u:"$HTTPDUSER":rwX -m u:$(whoami):rwX var',
    ].join(' && ');
    runAsHost(deploy, 'sh', ['-c', recipe, 'sh', root, web.name]);
  });

  afterAll(() => {
    accounts.remove();
    tmp?.cleanup();
  });

  // cron is the cli user by default; without --cli-user, access would take the current directory's owner.
  const roleFlags = () => ['--web-user', web.name, '--cli-user', deploy.name, '--no-discover'];
  function audit(): { acl: string; findings: Finding[]; entries: number } {
    const { json } = runCliJson<{ acl: string; findings: Finding[]; summary: { entries: number } }>([
      'audit',
      root,
      '--preset',
      'symfony',
      '--format',
      'json',
      '--fail-on',
      'never',
      ...roleFlags(),
    ]);
    return { acl: json.acl, findings: json.findings, entries: json.summary.entries };
  }
  const errors = () => audit().findings.filter((f) => f.severity === 'error');
  function access(path: string): AccessResult {
    const { result, json } = runCliJson<{ roles: Record<string, { uid: number }>; results: AccessResult[] }>([
      'access',
      path,
      '--json',
      ...roleFlags(),
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(json.roles.cli!.uid).toBe(deploy.uid);
    return json.results[0]!;
  }
  /** The kernel's answer: open(2) for writing as that user (sh's >> opens O_WRONLY|O_APPEND|O_CREAT). */
  function opensForWrite(user: HostUser, path: string): boolean {
    try {
      runAsHost(user, 'sh', ['-c', 'exec 2>/dev/null 3>>"$1"', 'sh', path]);
      return true;
    } catch {
      return false;
    }
  }

  it('the recipe tree audits with no error, and permcheck read the ACLs it judged', () => {
    const run = audit();
    expect(run.acl).toBe('read');
    expect(run.findings.filter((f) => f.severity === 'error')).toEqual([]);
    // Without the recipe's entries web could not write var/: the audit passed because it saw them.
    expect(access(join(root, 'var/cache')).acl?.entries).toContain(`user:${web.name}:rwx`);
    // The text shows the ACL as ls does: a '+' after the bits.
    const text = runCli(['access', join(root, 'var/cache'), ...roleFlags()]);
    expect(text.stdout).toMatch(/ {2}directory [-rwxsStT]{9}\+ \(0\d{3}\) /);
  });

  it('web creates a cache file and directory under umask 022: still no error; access and the kernel let deploy write them', () => {
    const file = join(root, 'var/cache/prod/url_matching_routes.php');
    const dir = join(root, 'var/cache/prod/pools');
    runAsHost(web, 'sh', ['-c', 'umask 022 && echo "<?php return [];" > "$1" && mkdir "$2" && echo x > "$2/item"', 'sh', file, dir]);
    expect(errors()).toEqual([]);
    for (const path of [file, dir, join(dir, 'item')]) {
      const result = access(path);
      // The default ACL, not the umask: the mask stays rw(x), so deploy's named entry applies in full.
      expect(result.acl?.entries, path).toContain(`user:${deploy.name}:rwx`);
      expect(result.roles.cli!.write, path).toBe(true);
    }
    expect(opensForWrite(deploy, file)).toBe(true);
    expect(opensForWrite(deploy, join(dir, 'item'))).toBe(true);
    expect(opensForWrite(deploy, join(dir, 'made-by-deploy'))).toBe(true);
  });

  itNeeding({ [`php and ${HARNESS_PACKAGES['symfony-dumpfile'].package}`]: hasSymfonyFilesystem })(
    "web writes the cache with Symfony's own dumpFile: mask r--, still no error (deploy replaces the file); access and the kernel agree",
    () => {
      const file = join(root, 'var/cache/prod/App_KernelProdContainer.meta');
      runAsHost(web, 'sh', ['-c', 'umask 022 && exec php "$@"', 'sh', DUMPFILE, file]);
      expect(errors()).toEqual([]);
      const result = access(file);
      // dumpFile chmods 0666 & ~umask = 0644: under an ACL that chmod narrows the mask to r--.
      expect(result.acl?.entries).toContain('mask::r--');
      expect(result.roles.cli).toMatchObject({ read: true, write: false, delete: true });
      expect(opensForWrite(deploy, file)).toBe(false);
      // What Symfony does as deploy (cache:clear, the next dumpFile): a new file renamed over it.
      runAsHost(deploy, 'sh', ['-c', 'echo new > "$1.tmp" && mv -f "$1.tmp" "$1"', 'sh', file]);
      expect(readFileSync(file, 'utf8')).toBe('new\n');
    },
  );
});
