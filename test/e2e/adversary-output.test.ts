import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, lstatSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { DEPLOY, isRoot, writeUserFiles } from '../helpers/users.js';

/**
 * Issue 10, what reaches a terminal or a CI log: names the attacker chose (it can write var/, or
 * the whole root of a tenant) must not carry raw control characters, bidi overrides, invisible
 * characters or GitHub workflow commands into any output format, and must still be pasteable.
 */

/** Characters a name may hold that must never reach a terminal or a CI log raw. */
const HOSTILE = {
  c1: '\u009b31m', // CSI in its 8-bit form
  bidi: '\u202e', // RIGHT-TO-LEFT OVERRIDE
  zeroWidth: '\u200b',
  workflow: '##[error]',
  tags: '\u{e0041}\u{e0042}', // TAG LATIN CAPITAL LETTER A, B: invisible, used to smuggle text
  lineSeparator: '\u2028',
  variationSelector: '\ufe0f',
  graphemeJoiner: '\u034f',
  hangulFiller: '\uffa0',
} as const;
type Kind = keyof typeof HOSTILE;

const PATTERN: Record<Kind, RegExp> = {
  c1: /[\u0080-\u009f]/u,
  bidi: /[\u202a-\u202e\u2066-\u2069]/u,
  zeroWidth: /[\u200b-\u200f\u2060-\u2064\ufeff]/u,
  workflow: /##\[/u,
  tags: /[\u{e0000}-\u{e007f}]/u,
  lineSeparator: /[\u2028\u2029]/u,
  variationSelector: /[\ufe00-\ufe0f]/u,
  graphemeJoiner: /\u034f/u,
  hangulFiller: /\uffa0/u,
};

/** Which kinds appear raw in these lines. */
function rawKinds(lines: readonly string[]): Kind[] {
  return (Object.keys(PATTERN) as Kind[]).filter((kind) => lines.some((line) => PATTERN[kind].test(line)));
}

describe.skipIf(!isRoot)('hostile names in every output', () => {
  const tmp = makeTempDir('permcheck-adv-output-');
  const app = join(tmp.path, 'app');
  let flags: string[];

  beforeAll(() => {
    const files = writeUserFiles(tmp.path);
    // deploy trusted: the plan gives it the root, and fixes through a directory an untrusted user will
    // own are `permcheck fix` lines; what is tested here is how the commands quote the names.
    flags = [
      '--passwd',
      files.passwd,
      '--group',
      files.group,
      '--web-user',
      'web',
      '--cli-user',
      'deploy',
      '--trust',
      String(DEPLOY.uid),
      '--jobs',
      '1',
    ];
    mkdirSync(app);
    writeFileSync(join(app, 'index.php'), '<?php\n');
    // World-writable files: each gets a finding and a fix (chmod o-w NAME).
    for (const [kind, text] of Object.entries(HOSTILE)) {
      const name = `${kind}-${text}-x.php`;
      writeFileSync(join(app, name), '');
      chmodSync(join(app, name), 0o666);
    }
  });
  afterAll(() => tmp.cleanup());

  const audit = (format: string) => runCli(['audit', app, '--format', format, '--fail-on', 'never', ...flags]);

  it('text: every line but the fix lines escapes C0, C1, bidi, zero-width characters and ##[ (regression)', () => {
    const result = audit('text');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n').filter((line) => !/^\s*fix: /.test(line));
    expect(lines.join('\n')).toMatch(/bidi-\\u202e-x\.php/);
    expect(rawKinds(lines).filter((kind) => ['c1', 'bidi', 'zeroWidth', 'workflow'].includes(kind))).toEqual([]);
  });

  // Failed while shellQuote() (src/fix/shell.ts) wrote names holding tag characters, U+2028, variation
  // selectors, U+034F or U+FFA0 inside '...', where the text reporter's escape is literal text: the line
  // showed no raw character, yet pasted it named another file. The fix lines must be both clean and pasteable.
  it('text: the fix lines escape them too, and pasted they still act on the entry they name', () => {
    const fixes = audit('text')
      .stdout.split('\n')
      .filter((line) => /^\s*fix: /.test(line))
      .map((line) => line.replace(/^\s*fix: /, ''));
    expect(fixes.length).toBeGreaterThanOrEqual(Object.keys(HOSTILE).length);
    expect(rawKinds(fixes)).toEqual([]);
    const copy = join(tmp.path, 'copy-text');
    cpSync(app, copy, { recursive: true });
    // The chmod steps only: the fixture's users (deploy) are not this host's, so its chown cannot run here.
    const chmods = fixes.flatMap((fix) => fix.split(' && ').filter((step) => step.startsWith('chmod ')));
    expect(chmods.length).toBeGreaterThanOrEqual(Object.keys(HOSTILE).length);
    const failed = chmods.filter(
      (fix) => spawnSync('bash', ['-c', fix], { cwd: copy, env: { ...process.env, LC_ALL: 'C.UTF-8' } }).status !== 0,
    );
    expect(failed).toEqual([]);
  });

  // Failed until printable() took its class from Unicode (Cc, Cf, Zl, Zp, default-ignorable) with the
  // u flag: it matched no astral character (the tag block) and listed neither U+2028/2029, variation
  // selectors, U+034F nor U+FFA0.
  it('text: tag characters, line separators, variation selectors, U+034F and U+FFA0 are escaped too (lines other than fixes; regression)', () => {
    const lines = audit('text')
      .stdout.split('\n')
      .filter((line) => !/^\s*fix: /.test(line));
    expect(rawKinds(lines)).toEqual([]);
  });

  // Failed while the audit's JSON and SARIF reporters used JSON.stringify alone (access used jsonForLogs):
  // only C0 was escaped, and GitHub's runner reads ##[ in a log line whatever surrounds it.
  it('json and sarif: no raw C1, bidi, invisible characters or ##[ either', () => {
    for (const format of ['json', 'sarif']) {
      const result = audit(format);
      JSON.parse(result.stdout);
      expect({ format, raw: rawKinds(result.stdout.split('\n')) }).toEqual({ format, raw: [] });
    }
  });

  // Failed after the planner's rewrite: shellQuote() wrote a C1 character as $'\x9b', which bash turns
  // into the single byte 0x9b, not U+009B (C2 9B), and $'\u202e' stays text in a shell whose locale is
  // not UTF-8 (LC_ALL=C). Every escaped character is now written as its UTF-8 bytes, in any locale.
  it('pasted, each fix still acts on exactly the entry it names, in any locale (regression)', () => {
    const copy = join(tmp.path, 'copy');
    cpSync(app, copy, { recursive: true });
    const fixes = audit('json');
    const findings = JSON.parse(fixes.stdout).findings as { rule: string; fix?: string }[];
    // The chmod steps only: the fixture's users (deploy) are not this host's, so its chown cannot run here.
    const chmods = findings
      .filter((f) => f.rule === 'world-writable')
      .flatMap((f) => f.fix!.split(' && ').filter((step) => step.startsWith('chmod ')));
    expect(chmods.length).toBe(Object.keys(HOSTILE).length);
    const failed = chmods.filter((fix) => spawnSync('bash', ['-c', fix], { cwd: copy, env: { ...process.env, LC_ALL: 'C' } }).status !== 0);
    expect(failed).toEqual([]);
    const writable = readdirSync(copy).filter((name) => (lstatSync(join(copy, name)).mode & 0o002) !== 0);
    expect(writable).toEqual([]);
  });

  // Failed while the story rendered the directory of --in as it is (no printable()); root typed a plain name, but the
  // lookup went through the attacker's symlink, whose target carries an OSC 52 sequence (in
  // terminals that allow it, a write to root's clipboard: the next "fix" root pastes).
  it('explain --for --in through a symlink escapes the name it resolved to', () => {
    const osc = 'up\u001b]52;c;cm0gLXJmIC8K\u0007';
    mkdirSync(join(app, osc));
    symlinkSync(osc, join(app, 'uploads'));
    const result = runCli(['explain', '--for', 'web', '--in', join(app, 'uploads'), ...flags.slice(0, -2)]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/up\\x1b/);
    expect(result.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/u);
  });

  it('access escapes names in text and JSON (regression)', () => {
    const name = join(app, `bidi-${HOSTILE.bidi}-x.php`);
    const text = runCli(['access', name, ...flags.slice(0, -2)]);
    const json = runCli(['access', name, '--json', ...flags.slice(0, -2)]);
    expect(text.code).toBe(0);
    expect(rawKinds(text.stdout.split('\n'))).toEqual([]);
    expect(rawKinds(json.stdout.split('\n'))).toEqual([]);
  });

  // Failed while printable() let astral tag characters and U+2028 through: the error names the
  // symlink's target, which is the attacker's text.
  it('stderr: an error naming a dangling symlink target escapes tag characters and U+2028 (regression)', () => {
    symlinkSync(`gone${HOSTILE.tags}${HOSTILE.lineSeparator}`, join(app, 'dangling'));
    const result = runCli(['access', join(app, 'dangling'), ...flags.slice(0, -2)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/gone/);
    expect(rawKinds([result.stderr])).toEqual([]);
  });

  // Failed while sarif.ts encoded the path shown (U+FFFD for a byte that is not UTF-8), not its bytes.
  it('sarif: a name that is not UTF-8 is located by its real bytes', () => {
    const odd = join(tmp.path, 'odd');
    mkdirSync(odd);
    writeFileSync(Buffer.concat([Buffer.from(`${odd}/bad`), Buffer.from([0xff]), Buffer.from('.php')]), '');
    chmodSync(Buffer.concat([Buffer.from(`${odd}/bad`), Buffer.from([0xff]), Buffer.from('.php')]), 0o666);
    const result = runCli(['audit', odd, '--format', 'sarif', '--fail-on', 'never', ...flags]);
    const uris = (
      JSON.parse(result.stdout).runs[0].results as { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[]
    ).map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri);
    expect(uris).toContain('bad%FF.php');
  });
});
