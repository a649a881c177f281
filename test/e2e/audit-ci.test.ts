import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliJson } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';

/**
 * What a CI step needs beyond the audit: a baseline and annotations. Runs as any user: the tree
 * is the runner's own, and the roles are the runner, named in passwd and group files.
 */
describe('a CI step: --baseline, --write-baseline and --format github', () => {
  const tmp = makeTempDir('permcheck-ci-');
  const app = join(tmp.path, 'repo', 'build');
  const baseline = join(tmp.path, 'repo', 'permcheck-baseline.json');
  let flags: string[];
  afterAll(() => tmp.cleanup());
  beforeAll(() => {
    mkdirSync(join(app, 'var'), { recursive: true });
    for (const [path, mode] of [
      ['index.php', 0o666],
      ['old.php', 0o666],
      ['ok.php', 0o644],
      ['var/cache.php', 0o644],
    ] as const) {
      writeFileSync(join(app, path), '<?php');
      chmodSync(join(app, path), mode);
    }
    const uid = process.getuid!();
    const gid = process.getgid!();
    writeFileSync(join(tmp.path, 'passwd'), `me:x:${uid}:${gid}::/:/bin/sh\n`);
    writeFileSync(join(tmp.path, 'group'), `me:x:${gid}:\n`);
    flags = ['--passwd', join(tmp.path, 'passwd'), '--group', join(tmp.path, 'group'), '--web-user', 'me', '--ignore-ancestors'];
  });

  const errors = (findings: { severity: string; path: string; rule: string }[]) =>
    findings.filter((f) => f.severity === 'error').map((f) => `${f.rule} ${f.path}`);

  it.each(['1', '2'])('round trip (--jobs %s): write, add one fault, only that one fails the run', (jobs) => {
    const today = runCliJson(['audit', app, '--format', 'json', '--jobs', jobs, ...flags]);
    expect(today.result.code).toBe(1);
    expect(errors(today.json.findings)).toEqual(['world-writable index.php', 'world-writable old.php']);

    const written = runCli(['audit', app, '--jobs', jobs, '--write-baseline', baseline, ...flags]);
    expect(written.code).toBe(0);
    expect(written.stderr).toBe('');
    const file = JSON.parse(readFileSync(baseline, 'utf8'));
    expect(file.version).toBe(1);
    expect(file.findings).toHaveLength(today.json.findings.length);
    expect(file.findings[0]).toMatchObject({
      rule: expect.any(String),
      path: expect.any(String),
      fingerprint: expect.stringMatching(/^[0-9a-f]{20}$/),
    });

    const clean = runCli(['audit', app, '--jobs', jobs, '--baseline', baseline, ...flags]);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain(`baseline ${baseline}: ${today.json.findings.length} known findings not reported`);
    expect(clean.stdout).toMatch(/\nno findings; 6 entries in/);

    chmodSync(join(app, 'ok.php'), 0o666);
    try {
      const { result, json } = runCliJson(['audit', app, '--format', 'json', '--jobs', jobs, '--baseline', baseline, ...flags]);
      expect(result.code).toBe(1);
      expect(errors(json.findings)).toEqual(['world-writable ok.php']);
      expect(json.findings.every((f: { path: string }) => f.path === 'ok.php')).toBe(true);
      expect(json.summary).toMatchObject({ errors: 1, baseline: { file: baseline, suppressed: today.json.findings.length, stale: [] } });
    } finally {
      chmodSync(join(app, 'ok.php'), 0o644);
    }
  });

  it('a fault fixed since: its baseline entries are named as stale, and the run passes', () => {
    runCli(['audit', app, '--write-baseline', baseline, ...flags]);
    chmodSync(join(app, 'old.php'), 0o644);
    try {
      const { result, json } = runCliJson(['audit', app, '--format', 'json', '--baseline', baseline, ...flags]);
      expect(result.code).toBe(0);
      expect(json.findings).toEqual([]);
      expect(json.summary.baseline.stale.map((e: { rule: string; path: string }) => `${e.rule} ${e.path}`)).toContain(
        'world-writable old.php',
      );
      const text = runCli(['audit', app, '--baseline', baseline, ...flags]);
      expect(text.stdout).toMatch(
        /baseline entr(y|ies) no longer occurs? \(write it again with --write-baseline to drop them\):\n {2}.*\n/,
      );
      expect(text.stdout).toContain('  world-writable old.php\n');
    } finally {
      chmodSync(join(app, 'old.php'), 0o666);
    }
  });

  it.each<[string, string, RegExp]>([
    ['missing', 'none.json', /^permcheck: --baseline .*none\.json does not exist \(write one with --write-baseline\)\n$/],
    ['not JSON', 'bad.json', /^permcheck: --baseline .*bad\.json: not JSON \(write one with --write-baseline\)\n$/],
    ['not a baseline', 'other.json', /^permcheck: --baseline .*other\.json: not a permcheck baseline \(version: .*\)\n$/],
  ])('a bad --baseline (%s) is one line and exit 2, before any audit', (_what, name, message) => {
    writeFileSync(join(tmp.path, 'bad.json'), '{ nope');
    writeFileSync(join(tmp.path, 'other.json'), '{"version": 7, "findings": []}');
    const { code, stdout, stderr } = runCli(['audit', app, '--baseline', join(tmp.path, name), ...flags]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });

  // Failed while the file was stat()ed, then read by path: a FIFO hung the run, /dev/zero behind a
  // symlink filled memory until Node aborted (exit 134).
  it('a FIFO or a link to /dev/zero as --baseline is one line and exit 2, at once', () => {
    const fifo = join(tmp.path, 'fifo.json');
    const zero = join(tmp.path, 'zero.json');
    execFileSync('mkfifo', [fifo]);
    symlinkSync('/dev/zero', zero);
    for (const [file, kind] of [
      [fifo, 'a FIFO'],
      [zero, 'a character device'],
    ] as const) {
      const { code, stdout, stderr } = runCli(['audit', app, '--baseline', file, ...flags], { timeout: 20_000 });
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toBe(`permcheck: --baseline ${file} is ${kind}, not a regular file (write one with --write-baseline)\n`);
    }
  });

  it('--format github: an annotation per finding on its file in the repository, valid for any name', () => {
    const hostile = join(app, 'a,b:c%25\n::error::x.php');
    writeFileSync(hostile, '');
    chmodSync(hostile, 0o666);
    try {
      const result = runCli(['audit', app, '--format', 'github', ...flags], { env: { GITHUB_WORKSPACE: join(tmp.path, 'repo') } });
      expect(result.code).toBe(1);
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^permcheck audit .*build: preset generic/);
      const annotations = lines.filter((line) => line.startsWith('::'));
      expect(annotations).toContainEqual(
        expect.stringMatching(
          /^::error file=build\/index\.php,title=permcheck world-writable::index\.php \(-rw-rw-rw- me:me\) is writable by any local user\./,
        ),
      );
      const odd = annotations.filter((line) => line.includes('file=build/a%2Cb%3Ac%2525\\n%3A%3Aerror%3A%3Ax.php,'));
      expect(odd.length).toBeGreaterThan(0);
      for (const line of annotations) expect(line).toMatch(/^::(error|warning) file=[^:,]+,title=[^:,]+::[^\r\n]+$/);
      expect(lines.at(-1)).toMatch(/^permcheck: \d+ errors, \d+ warnings?, \d+ info; 7 entries in/);
      // --github-root outranks GITHUB_WORKSPACE; a root outside it gives annotations without a file.
      const outside = runCli(['audit', app, '--format', 'github', '--github-root', '/nonexistent/repo', ...flags]);
      expect(outside.stdout).toContain('::error title=index.php%3A permcheck world-writable::');
    } finally {
      chmodSync(hostile, 0o644);
    }
  });
});
