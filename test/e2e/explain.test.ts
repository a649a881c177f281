import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, runCli, runCliJson } from '../helpers/cli.js';

describe('permcheck explain (built CLI)', () => {
  it('prints file and directory modes, per-class words and warnings for 027', () => {
    const { code, stdout, stderr } = runCli(['explain', '027']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain('umask 0027 (u=rwx,g=rx,o=)');
    expect(stdout).toContain('file (requested 0666) -> 0640 rw-r-----');
    expect(stdout).toContain('directory (requested 0777) -> 0750 rwxr-x---');
    expect(stdout).toMatch(/group {3}read\n/);
    expect(stdout).toMatch(/others {2}nothing\n/);
    expect(stdout).toMatch(/group {3}list, enter\n/);
    expect(stdout).toContain('The group can read but not change');
  });

  it('prints the documented JSON object', () => {
    const { result, json } = runCliJson(['explain', 'u=rwx,g=rx,o=', '--json']);
    expect(result.code).toBe(0);
    expect(json).toEqual({
      umask: '0027',
      symbolic: 'u=rwx,g=rx,o=',
      file: { requested: '0666', mode: '0640', symbolic: 'rw-r-----' },
      directory: { requested: '0777', mode: '0750', symbolic: 'rwxr-x---' },
      custom: [],
      warnings: [expect.stringContaining('The group can read but not change')],
      notes: [],
    });
  });

  it('adds rows for --mode and notes that chmod ignores the umask', () => {
    const { code, stdout } = runCli(['explain', '027', '--mode', '0775', '--mode', 'file:0664']);
    expect(code).toBe(0);
    expect(stdout).toContain('custom directory (requested 0775) -> 0750 rwxr-x---');
    expect(stdout).toContain('custom file (requested 0664) -> 0640 rw-r-----');
    expect(stdout).toContain('chmod() ignores the umask');
  });

  it('explains the current umask without an argument', () => {
    const out = execFileSync('sh', ['-c', `umask 037 && exec "${process.execPath}" "${BIN}" explain --json`], { encoding: 'utf8' });
    expect(JSON.parse(out)).toMatchObject({ umask: '0037', file: { mode: '0640' }, directory: { mode: '0740' } });
  });

  it.each([
    ['089', "umask '089' has a digit that is not octal"],
    ['1022', "umask '1022' is out of range"],
    ['u=rwz', "umask 'u=rwz' has an invalid clause"],
    ['', "umask '' is empty"],
  ])('rejects %j with one line, exit 2, no stack', (arg, message) => {
    const { code, stdout, stderr } = runCli(['explain', arg]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr).toContain('u=rwx,g=rx,o=');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects a bad --mode and an unknown flag with exit 2', () => {
    const badMode = runCli(['explain', '027', '--mode', '0999']);
    expect(badMode.code).toBe(2);
    expect(badMode.stderr).toMatch(/^permcheck: --mode '0999' is not an octal mode/);
    const unknown = runCli(['explain', '--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("permcheck: unknown option '--bogus'\n");
  });

  it('colours only when asked and never with NO_COLOR or --no-color', () => {
    const forced = runCli(['explain', '027'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain('\u001b[');
    const noColor = runCli(['explain', '027', '--no-color'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(noColor.stdout).not.toContain('\u001b[');
    const piped = runCli(['explain', '027'], { env: { NO_COLOR: undefined } });
    expect(piped.stdout).not.toContain('\u001b[');
  });
});

describe('permcheck --help and --version', () => {
  it('prints the package version', async () => {
    const { version } = (await import('../../package.json', { with: { type: 'json' } })).default;
    const { code, stdout } = runCli(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(version);
  });

  it('lists every rule with its default severity in audit --help', async () => {
    const { RULE_IDS } = await import('../../src/rules/ids.js');
    const { RULES } = await import('../../src/rules/index.js');
    const { stdout } = runCli(['audit', '--help']);
    for (const id of RULE_IDS) expect(stdout).toMatch(new RegExp(`^  ${id} +${RULES[id].defaultSeverity} +`, 'm'));
  });

  it('prints help for the program and each command', () => {
    const top = runCli(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('explain');
    const sub = runCli(['explain', '--help']);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('--mode <octal>');
  });
});
