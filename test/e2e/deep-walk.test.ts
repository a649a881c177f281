import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { hasCommand } from '../helpers/attacker.js';

/**
 * A tree deeper than the walk's descriptor budget (64): on the way back up, each closed ancestor is
 * reopened from the nearest open one, name by name. Reopening only the parent each time made it
 * quadratic: an attacker's 5,000 nested directories took 124 s and 12 million openat calls. Counted in
 * system calls (strace), not timed: the reopens now keep the budget's worth of the deepest ones open.
 */
const ready = hasCommand('strace');
const why = ready ? '' : ' (skipped: needs strace, from the Debian package strace)';
const DEPTH = 1000;

describe.skipIf(!ready)(`a tree nested ${DEPTH} deep${why}`, () => {
  const tmp = makeTempDir('permcheck-deep-');
  afterAll(() => tmp.cleanup());

  it('is walked whole with openat calls in proportion to its depth, not its square', () => {
    const root = join(tmp.path, 'deep');
    mkdirSync(root);
    // d/d/d/…: 2,000 bytes, within PATH_MAX.
    mkdirSync(join(root, Array<string>(DEPTH).fill('d').join('/')), { recursive: true });
    const traced = spawnSync(
      'strace',
      // --seccomp-bpf: stopped only at the calls counted, so the walk runs at nearly its own speed.
      [
        '-f',
        '--seccomp-bpf',
        '-c',
        '-e',
        'trace=openat',
        '-o',
        join(tmp.path, 'trace'),
        process.execPath,
        BIN,
        'audit',
        root,
        '--format',
        'json',
        '--jobs',
        '1',
        '--no-discover',
        '--fail-on',
        'never',
      ],
      { encoding: 'utf8', maxBuffer: 1 << 28 },
    );
    expect(traced.status, traced.stderr).toBe(0);
    expect(JSON.parse(traced.stdout).summary.entries).toBe(DEPTH + 1);
    const summary = readFileSync(join(tmp.path, 'trace'), 'utf8');
    const calls = Number(/^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?openat$/m.exec(summary)?.[1]);
    // Once per directory, plus the reopens (a window of 48 levels each: about DEPTH² / 96) and Node's own
    // start; reopening one level at a time made it about DEPTH² / 2 (500,000 here).
    expect(calls).toBeGreaterThan(DEPTH);
    expect(calls).toBeLessThan(25 * DEPTH);
  });

  // Failed while fix kept one descriptor per level: past `ulimit -n` it skipped the deepest entries
  // (EMFILE) and exited 3.
  it('is fixed whole by permcheck fix under a descriptor limit below its depth', () => {
    const root = join(tmp.path, 'fix');
    const levels = 300;
    const dirs = Array.from({ length: levels }, (_, i) => join(root, ...Array<string>(i + 1).fill('d')));
    mkdirSync(dirs.at(-1)!, { recursive: true });
    for (const dir of dirs) {
      writeFileSync(join(dir, 'f.txt'), 'x');
      chmodSync(join(dir, 'f.txt'), 0o666);
    }
    const fix = spawnSync('sh', ['-c', 'ulimit -n 128 && exec "$@"', 'sh', process.execPath, BIN, 'fix', root, '--yes', '--no-discover'], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    expect(fix.stderr).toBe('');
    expect(fix.stdout).toContain(`applied ${levels} changes`);
    for (const dir of dirs) expect(statSync(join(dir, 'f.txt')).mode & 0o777).toBe(0o644);
  });
});

// Failed with `RangeError: Invalid string length` (exit 70): the script was built as one string, and
// 1,500 levels of 255-character names make over 512 MB of paths, more than a string can hold.
describe('a fix script too long for one string', () => {
  const tmp = makeTempDir('permcheck-deep-names-');
  // Past PATH_MAX for Node's rmSync: GNU rm walks it by descriptors.
  afterAll(() => {
    spawnSync('rm', ['-rf', '--', tmp.path]);
    tmp.cleanup();
  });

  it('is written out whole: fix --dry-run on 1,500 levels of 255-character names', () => {
    const root = join(tmp.path, 'shop');
    mkdirSync(join(root, 'wp-content/uploads'), { recursive: true });
    writeFileSync(join(root, 'wp-config.php'), '<?php\n');
    // Deeper than PATH_MAX: each level made relative to the one before.
    const made = spawnSync('perl', [
      '-e',
      'chdir $ARGV[0] or die; my $n = "d" x 255; for (1..1500) { mkdir $n or die; chdir $n or die }',
      join(root, 'wp-content/uploads'),
    ]);
    expect(made.status).toBe(0);
    const dry = spawnSync(
      'bash',
      ['-c', `"${process.execPath}" "${BIN}" fix "$1" --dry-run --no-discover --web-user www-data --cli-user root | wc -c`, 'sh', root],
      {
        encoding: 'utf8',
      },
    );
    expect(dry.stderr).toBe('');
    expect(Number(dry.stdout.trim())).toBeGreaterThan(512 * 1024 * 1024);
  });
});
