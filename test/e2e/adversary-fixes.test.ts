import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, cpSync, linkSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliJson } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { hasSetpriv, isRoot } from '../helpers/users.js';
import { bashAs, hasCommand, hostAccount, paste, snapshot } from '../helpers/attacker.js';

/**
 * Issue 10, the printed fixes: root audits a tree whose writable part belongs to the web user
 * (www-data, the attacker), then pastes the fixes. Between the two the attacker may swap what a fix
 * names. Whatever it does, a pasted fix must change nothing outside the entry it names.
 *
 * Real accounts (www-data and backup, from Debian's base-passwd) because the fixes name them for
 * chgrp and setfacl on this host; the fake /etc and the "root binary" are temp files.
 */
const web = hostAccount('www-data');
const other = hostAccount('backup');
const ready = isRoot && hasSetpriv() && web !== undefined && other !== undefined && hasCommand('setfacl');
const why = ready ? '' : ' (skipped: needs root, setpriv, the accounts www-data and backup, and setfacl from the Debian package acl)';

interface Finding {
  rule: string;
  path: string;
  fix?: string;
  message: string;
}

describe.skipIf(!ready)(`pasted fixes on a tree the web user can write${why}`, () => {
  const tmp = makeTempDir('permcheck-adv-fixes-');
  afterAll(() => tmp.cleanup());

  /** A fake /etc outside the tree: what a swapped symlink points a fix at. */
  function fakeEtc(dir: string): string {
    mkdirSync(join(dir, 'sudoers.d'), { recursive: true });
    writeFileSync(join(dir, 'shadow'), 'root:*:19000:0:99999:7:::\n');
    chmodSync(join(dir, 'shadow'), 0o640);
    return dir;
  }

  function audit(app: string, roles: string[]): Finding[] {
    const { json } = runCliJson<{ findings: Finding[] }>([
      'audit',
      app,
      '--format',
      'json',
      '--fail-on',
      'never',
      '--no-discover',
      '--jobs',
      '1',
      ...roles,
    ]);
    return json.findings;
  }

  const laravelRoles = ['--web-user', 'www-data', '--cli-user', 'root', '--cron-user', 'root'];

  /** Laravel, deployed by root; storage/ and bootstrap/cache belong to the web user, as its docs say. */
  function laravel(app: string): void {
    for (const dir of ['bootstrap/cache', 'storage/framework/cache', 'storage/logs', 'public'])
      mkdirSync(join(app, dir), { recursive: true });
    writeFileSync(join(app, 'artisan'), '<?php\n');
    writeFileSync(join(app, 'bootstrap/app.php'), '<?php\n');
    writeFileSync(join(app, 'storage/framework/cache/data'), 'x');
    // Written by root (an artisan command run as root): the web user cannot write it.
    writeFileSync(join(app, 'storage/logs/laravel.log'), '');
    for (const dir of ['storage', 'storage/logs', 'bootstrap/cache']) chownSync(join(app, dir), web!.uid, web!.gid);
  }

  // Failed while the planner named every entry below storage/framework, each './'-prefixed, with
  // chgrp -h: -h guards the last component only. The web user owns storage/, so after the audit it
  // swaps framework for a symlink to the fake /etc, and every path through it named a file there.
  // A path through a directory someone untrusted can change now gets a `permcheck fix` line.
  it('a subtree fix pasted after its directory became a symlink leaves the fake /etc alone (regression)', () => {
    const app = join(tmp.path, 'recursive', 'app');
    laravel(app);
    const etc = fakeEtc(join(tmp.path, 'recursive', 'etc'));
    // What the swapped link will lead the fix's paths to: the fake /etc has the same names.
    mkdirSync(join(etc, 'cache'));
    writeFileSync(join(etc, 'cache/data'), 'secret\n', { mode: 0o600 });
    const fixes = audit(app, laravelRoles)
      .filter((f) => f.path.startsWith('storage/framework') && f.fix)
      .map((f) => f.fix!);
    expect(fixes.length).toBeGreaterThan(0);
    // No command names a path below storage/: each is permcheck fix, which checks what it changes.
    expect(fixes.filter((fix) => !fix.startsWith('permcheck fix '))).toEqual([]);
    // The web user owns storage/: it can put anything in framework's place.
    expect(bashAs(web!, 'cd "$1" && mv framework framework.old && ln -s "$2" framework', join(app, 'storage'), etc).status).toBe(0);
    const before = snapshot(etc);
    for (const fix of fixes) paste(fix, app);
    expect(snapshot(etc)).toEqual(before);
  });

  // Failed while the fix was `chgrp -h ... && chmod -- 0664 ./storage/logs/laravel.log`: chmod has no
  // -h and follows a symlinked argument, so pasted after the web user made laravel.log a link to the
  // fake shadow, it made the shadow group-writable. The web user owns storage/logs: permcheck fix now.
  it('a file fix pasted after the file became a symlink to the fake shadow leaves it alone (regression)', () => {
    const app = join(tmp.path, 'file', 'app');
    laravel(app);
    const etc = fakeEtc(join(tmp.path, 'file', 'etc'));
    const fixes = audit(app, laravelRoles)
      .filter((f) => f.path === 'storage/logs/laravel.log' && f.fix)
      .map((f) => f.fix!);
    expect(fixes.length).toBeGreaterThan(0);
    expect(fixes.every((fix) => fix.startsWith('permcheck fix ') && fix.endsWith("--only 'storage/logs/laravel.log'"))).toBe(true);
    expect(
      bashAs(web!, 'cd "$1" && rm -f laravel.log && ln -s "$2" laravel.log', join(app, 'storage/logs'), join(etc, 'shadow')).status,
    ).toBe(0);
    const before = snapshot(etc);
    for (const fix of fixes) paste(fix, app);
    expect(snapshot(etc)).toEqual(before);
  });

  // Failed while shellQuote() guarded only a leading '-': a directory named '!' became
  // `find '!' -type d -exec chmod g+s {} +`, which find reads as "everything under . that is not a
  // directory", and the symlink beside it turned a root binary setgid. Every path is now './'-prefixed.
  it("a fix for a directory named '!' does not make a root binary beside it setgid (regression)", () => {
    const base = join(tmp.path, 'bang');
    const app = join(base, 'app');
    const bin = join(base, 'bin');
    mkdirSync(app, { recursive: true });
    mkdirSync(bin);
    copyFileSync('/bin/true', join(bin, 'rootbin'));
    chmodSync(join(bin, 'rootbin'), 0o755);
    writeFileSync(join(app, 'index.php'), '<?php\n');
    // The web user may create entries at the top: it owns the root.
    chownSync(app, web!.uid, web!.gid);
    chmodSync(app, 0o755);
    const made = bashAs(
      web!,
      'umask 022; cd "$1" && mkdir -- "!" "(" && touch -- "!/a" "(/b" && ln -s "$2" tool',
      app,
      join(bin, 'rootbin'),
    );
    expect(made.status).toBe(0);
    // Trusted, so that the root is no reason for `permcheck fix` lines. The plan still gives the web
    // group write in '!' and '(', so what it would do inside them (that find) is a `permcheck fix` line
    // now; pasted, whatever is printed must leave the binary beside them alone.
    const fixes = audit(app, ['--web-user', 'www-data', '--cli-user', 'backup', '--cron-user', 'backup', '--trust', 'www-data'])
      .filter((f) => (f.path === '!' || f.path === '(') && f.fix)
      .map((f) => f.fix!);
    expect(fixes.length).toBeGreaterThan(0);
    expect(fixes.map((fix) => fix.split(' --only ')[1])).toEqual(["'\\!/**'", "'\\(/**'"]);
    // Pasted in a copy of the tree (its symlink still points at the binary).
    const copy = join(base, 'copy');
    cpSync(app, copy, { recursive: true, verbatimSymlinks: true });
    const before = snapshot(bin);
    for (const fix of fixes) paste(fix, copy);
    expect(snapshot(bin)).toEqual(before);
  });

  // Failed while the walk read nlink but no rule or plan used it: a file
  // hard-linked into the tree earlier (a backup script, a copy made with cp -l) is also the file
  // outside it; its fix changed both (the fake shadow became 0660 root:www-data here).
  it('a fix for a file that has another link outside the tree leaves that file alone (or says so)', () => {
    const app = join(tmp.path, 'hardlink', 'app');
    laravel(app);
    const etc = fakeEtc(join(tmp.path, 'hardlink', 'etc'));
    linkSync(join(etc, 'shadow'), join(app, 'storage/logs/old.log'));
    const findings = audit(app, laravelRoles).filter((f) => f.path === 'storage/logs/old.log');
    expect(findings.length).toBeGreaterThan(0);
    const before = snapshot(etc);
    for (const finding of findings) {
      // Either it says the entry has other names, or whatever it prints keeps them unchanged.
      if (/hard link|other link|\blinks?\b/i.test(finding.message)) continue;
      if (finding.fix) paste(finding.fix, app);
    }
    expect(snapshot(etc)).toEqual(before);
  });

  // Failed while cross-context "fixes" carried prose after the command; advice is now a field of its own.
  it('every fix field is one command that bash can parse (regression)', () => {
    const app = join(tmp.path, 'prose', 'app');
    laravel(app);
    const fixes = audit(app, laravelRoles)
      .map((f) => f.fix)
      .filter((fix): fix is string => fix !== undefined);
    expect(fixes.length).toBeGreaterThan(0);
    const unparsable = fixes.filter((fix) => spawnSync('bash', ['-n', '-c', fix]).status !== 0);
    expect(unparsable).toEqual([]);
  });
});
