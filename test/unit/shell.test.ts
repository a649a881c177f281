import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { pathArgument, shellQuote } from '../../src/fix/shell.js';

describe('shellQuote', () => {
  it.each([
    ['var/cache', "'var/cache'"],
    ["it's", `'it'\\''s'`],
    ['$(touch x).php', "'$(touch x).php'"],
    ['a\nb', "$'a\\x0ab'"],
    ["tab\there's", "$'tab\\x09here\\'s'"],
    // As UTF-8 bytes: bash decodes $'\u202e' only in a UTF-8 locale.
    ['evil\u202egnp.php', "$'evil\\xe2\\x80\\xaegnp.php'"],
    ['zero\u200bwidth', "$'zero\\xe2\\x80\\x8bwidth'"],
    ['##[error]x', "$'\\x23\\x23[error]x'"],
  ])('%j -> %s', (path, quoted) => {
    expect(shellQuote(path)).toBe(quoted);
  });

  it('gives bash back exactly the name, and never runs what is inside', () => {
    for (const name of [
      "it's",
      '$(touch /tmp/permcheck-pwned).php',
      'a\nb',
      '`id`',
      'x; rm -rf y',
      '-n',
      'q\'"\\$',
      'b\u202eidi',
      '##[x]',
    ]) {
      // bash decodes $'\u202e' only in a UTF-8 locale (a terminal today); elsewhere it prints it escaped.
      const echoed = execFileSync('bash', ['-c', `printf '%s' ${shellQuote(name)}`], {
        encoding: 'utf8',
        env: { ...process.env, LC_ALL: 'C.UTF-8' },
      });
      expect(echoed).toBe(name);
    }
  });
});

describe('pathArgument', () => {
  it.each([
    ['.', "'.'"],
    ['var/cache', "'./var/cache'"],
    ['-rf', "'./-rf'"],
    ['!', "'./!'"],
    ['(', "'./('"],
    ['/srv/app', "'/srv/app'"],
  ])('%j -> %s: never an option, never a find expression', (rel, argument) => {
    expect(pathArgument(rel)).toBe(argument);
  });

  it('names bytes that are not UTF-8 as they are', () => {
    const echoed = execFileSync(
      'bash',
      ['-c', `printf '%s' ${pathArgument(Uint8Array.from([0x61, 0xff, 0x23, 0x23, 0x5b]))} | od -An -tx1`],
      { encoding: 'utf8' },
    );
    expect(echoed.trim().split(/\s+/)).toEqual(['2e', '2f', '61', 'ff', '23', '23', '5b']);
  });
});
