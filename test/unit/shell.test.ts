import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellQuote } from '../../src/fix/shell.js';

describe('shellQuote', () => {
  it.each([
    ['var/cache', "'var/cache'"],
    ["it's", `'it'\\''s'`],
    ['$(touch x).php', "'$(touch x).php'"],
    ['-rf', "'./-rf'"],
    ['a\nb', "$'a\\x0ab'"],
    ["tab\there's", "$'tab\\x09here\\'s'"],
  ])('%j -> %s', (path, quoted) => {
    expect(shellQuote(path)).toBe(quoted);
  });

  it('gives bash back exactly the name, and never runs what is inside', () => {
    for (const name of ["it's", '$(touch /tmp/permcheck-pwned).php', 'a\nb', '`id`', 'x; rm -rf y', '-n', 'q\'"\\$']) {
      const echoed = execFileSync('bash', ['-c', `printf '%s' ${shellQuote(name)}`], { encoding: 'utf8' });
      expect(echoed).toBe(name.startsWith('-') ? `./${name}` : name);
    }
  });
});
