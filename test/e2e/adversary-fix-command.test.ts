import { spawn } from 'node:child_process';
import { chmodSync, chownSync, closeSync, linkSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { hasSetpriv, isRoot } from '../helpers/users.js';
import { bashAs, hasCommand, hostAccount, snapshot } from '../helpers/attacker.js';

/**
 * Issue 10, `permcheck fix --yes` itself as the target: root applies the plan to a Laravel tree whose
 * storage/ belongs to the web user (www-data, the attacker), who changes what the plan names between
 * the plan and its application. Whatever it does, nothing outside the tree may change, and an entry
 * fix skipped must show in the exit code (3: the tree changed under permcheck).
 *
 * The moment: fix writes its undo journal after planning and before it changes anything. An
 * inotifywait (Debian package inotify-tools) on the journal's directory tells the test; it stops
 * permcheck (SIGSTOP), plays the attacker, and lets it go on (SIGCONT). 4,000 world-writable files in
 * a/ come first in the plan, so the attacked entries are still ahead when permcheck stops.
 */
const web = hostAccount('www-data');
const ready = isRoot && hasSetpriv() && web !== undefined && hasCommand('inotifywait');
const why = ready ? '' : ' (skipped: needs root, setpriv, the account www-data and inotifywait from the Debian package inotify-tools)';

const ROLES = ['--no-discover', '--web-user', 'www-data', '--cli-user', 'root', '--cron-user', 'root'];

describe.skipIf(!ready)(`permcheck fix --yes while the web user changes the tree${why}`, () => {
  const tmp = makeTempDir('permcheck-adv-fixcmd-');
  afterAll(() => tmp.cleanup());

  /** A fake /etc outside the tree, with the names a swapped directory would lead the plan's paths to. */
  function fakeEtc(dir: string): string {
    mkdirSync(join(dir, 'cache'), { recursive: true });
    writeFileSync(join(dir, 'cache/data'), 'secret\n', { mode: 0o600 });
    writeFileSync(join(dir, 'passwd'), 'root:x:0:0:root:/root:/bin/bash\n', { mode: 0o644 });
    chmodSync(join(dir, 'passwd'), 0o644);
    return dir;
  }

  function laravel(app: string): void {
    for (const dir of ['a', 'bootstrap/cache', 'storage/framework/cache', 'storage/logs', 'public'])
      mkdirSync(join(app, dir), { recursive: true });
    writeFileSync(join(app, 'artisan'), '<?php\n');
    writeFileSync(join(app, 'bootstrap/app.php'), '<?php\n');
    writeFileSync(join(app, 'storage/framework/cache/data'), 'x', { mode: 0o600 });
    writeFileSync(join(app, 'storage/logs/laravel.log'), '');
    for (let i = 0; i < 4000; i++) closeSync(openSync(join(app, 'a', `f${i}`), 'w'));
    for (const dir of ['storage', 'storage/framework', 'storage/framework/cache', 'storage/logs', 'bootstrap/cache'])
      chownSync(join(app, dir), web!.uid, web!.gid);
  }

  /** permcheck fix --yes on `app`, with `attack` played while it is stopped between its plan and its changes. */
  async function fixWhile(app: string, attack: () => void): Promise<{ code: number | null; output: string; attacked: boolean }> {
    const journalDir = join(tmp.path, `journal-${Math.random().toString(16).slice(2, 8)}`);
    mkdirSync(journalDir);
    // World-writable files in a/: a change for each, ahead of storage/ in the plan's order.
    await new Promise<void>((resolve) => spawn('chmod', ['-R', 'o+w', join(app, 'a')]).on('exit', () => resolve()));
    const watch = spawn('inotifywait', ['-e', 'close_write', '--format', '%f', journalDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve) =>
      watch.stderr.on('data', (chunk: Buffer) => chunk.toString().includes('Watches established') && resolve()),
    );
    const child = spawn(process.execPath, [BIN, 'fix', app, '--yes', '--journal', join(journalDir, 'undo.jsonl'), ...ROLES], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let output = '';
    let attacked = false;
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    watch.stdout.once('data', () => {
      child.kill('SIGSTOP');
      try {
        attack();
        attacked = true;
      } finally {
        child.kill('SIGCONT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    watch.kill();
    return { code, output, attacked };
  }

  it('a directory swapped for a symlink to the fake /etc after the plan: nothing outside changes, skipped, exit 3', async () => {
    const app = join(tmp.path, 'swap', 'app');
    laravel(app);
    const etc = fakeEtc(join(tmp.path, 'swap', 'etc'));
    const before = snapshot(etc);
    const result = await fixWhile(app, () => {
      const swapped = bashAs(web!, 'cd "$1" && mv framework framework.old && ln -s "$2" framework', join(app, 'storage'), etc);
      expect(swapped.status).toBe(0);
    });
    expect(result.attacked).toBe(true);
    expect(snapshot(etc)).toEqual(before);
    expect(result.output).toMatch(/skipped storage\/framework/);
    expect(result.code).toBe(3);
  });

  // The web user owns storage/logs; with fs.protected_hardlinks=0 (or a file it owns) it may link any
  // file there. The test links root's file itself (the sysctl is the host's, not the test's to change).
  it('a file replaced by a hard link to the fake passwd after the plan: the passwd keeps its mode and owner, exit 3', async () => {
    const app = join(tmp.path, 'relink', 'app');
    laravel(app);
    const etc = fakeEtc(join(tmp.path, 'relink', 'etc'));
    const before = snapshot(etc);
    const log = join(app, 'storage/logs/laravel.log');
    const result = await fixWhile(app, () => {
      rmSync(log);
      linkSync(join(etc, 'passwd'), log);
    });
    expect(result.attacked).toBe(true);
    expect(snapshot(etc)).toEqual(before);
    expect(result.output).toMatch(/skipped storage\/logs\/laravel\.log/);
    expect(result.code).toBe(3);
  });

  // A hard link made before the plan (a backup script's cp -l, or a link the web user made while
  // protected_hardlinks was 0) has the same link count at plan and at apply time: the plan leaves
  // every regular file with more than one link alone and says so in the audit fix prints after.
  it('a file hard-linked to the fake passwd before the run: the passwd keeps its mode and owner, and fix says why it left it', async () => {
    const app = join(tmp.path, 'prelinked', 'app');
    laravel(app);
    const etc = fakeEtc(join(tmp.path, 'prelinked', 'etc'));
    linkSync(join(etc, 'passwd'), join(app, 'storage/logs/old.log'));
    const before = snapshot(etc);
    const result = await fixWhile(app, () => {});
    expect(snapshot(etc)).toEqual(before);
    expect(result.output).toMatch(/storage\/logs\/old\.log[\s\S]*no fix: it has 2 hard links/);
    expect(result.code).not.toBe(0);
  });
});
