import { describe, expect, it } from 'vitest';
import { parseUmask, symbolicUmask } from '../../src/mode/umask.js';

function umaskOf(text: string): number {
  const parsed = parseUmask(text);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.reason}`);
  return parsed.umask;
}

describe('parseUmask', () => {
  it.each([
    ['027', 0o027],
    ['0027', 0o027],
    ['22', 0o022],
    ['0o027', 0o027],
    ['0O077', 0o077],
    ['000', 0],
    ['0', 0],
    ['7', 0o007],
    ['0777', 0o777],
    ['00022', 0o022],
    [' 002 ', 0o002],
  ])('reads octal %j as %o', (text, expected) => {
    expect(umaskOf(text)).toBe(expected);
  });

  it.each([
    ['u=rwx,g=rx,o=', 0o027],
    ['u=rwx,g=rwx,o=rx', 0o002],
    ['u=rwx,g=,o=', 0o077],
    ['a=rwx', 0o000],
    ['ug=rwx,o=', 0o007],
    ['u=rw,g=r,o=r', 0o133],
    ['o=,u=rwx,g=rx', 0o027],
    ['a=rx,u=rwx', 0o022],
  ])('reads symbolic %j (the bits kept) as %o', (text, expected) => {
    expect(umaskOf(text)).toBe(expected);
  });

  it.each([
    ['089', /not octal/],
    ['8', /not octal/],
    ['1022', /out of range/],
    ['0o1000', /out of range/],
    ['', /empty/],
    ['   ', /empty/],
    ['u=rwz', /invalid clause 'u=rwz'/],
    ['u=rwx,g=rx', /does not set o/],
    ['u=rwx', /does not set g, o/],
    ['u+w,g=rx,o=', /only '=' clauses/],
    ['-027', /neither/],
    ['abc', /invalid clause 'abc'/],
    ['0x1f', /neither/],
  ])('rejects %j', (text, reason) => {
    const parsed = parseUmask(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
});

describe('symbolicUmask', () => {
  it.each([
    [0o027, 'u=rwx,g=rx,o='],
    [0o022, 'u=rwx,g=rx,o=rx'],
    [0o002, 'u=rwx,g=rwx,o=rx'],
    [0o077, 'u=rwx,g=,o='],
    [0o777, 'u=,g=,o='],
    [0, 'u=rwx,g=rwx,o=rwx'],
  ])('prints %o as umask -S does: %s', (umask, expected) => {
    expect(symbolicUmask(umask)).toBe(expected);
  });

  it('round-trips every umask through its symbolic form', () => {
    for (let umask = 0; umask <= 0o777; umask++) expect(umaskOf(symbolicUmask(umask))).toBe(umask);
  });
});
