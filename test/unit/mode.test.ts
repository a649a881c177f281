import { describe, expect, it } from 'vitest';
import { formatOctal, symbolicMode } from '../../src/mode/bits.js';
import { creationMode } from '../../src/mode/creation.js';

describe('creationMode: requested & ~umask', () => {
  it.each([
    [0o027, 0o640, 0o750],
    [0o002, 0o664, 0o775],
    [0o077, 0o600, 0o700],
    [0o022, 0o644, 0o755],
    [0o007, 0o660, 0o770],
    [0o000, 0o666, 0o777],
    [0o777, 0o000, 0o000],
  ])('umask %o gives files %o and directories %o', (umask, file, dir) => {
    expect(creationMode('file', 0o666, umask)).toBe(file);
    expect(creationMode('directory', 0o777, umask)).toBe(dir);
  });

  it('is a bit mask, not a subtraction: 0666 under 044 is 0622', () => {
    expect(creationMode('file', 0o666, 0o044)).toBe(0o622);
  });

  it('applies to explicit requests: mkdir($dir, 0775) under 027 is 0750', () => {
    expect(creationMode('directory', 0o775, 0o027)).toBe(0o750);
  });

  it('mkdir keeps only the sticky bit of a request; open keeps setuid and setgid', () => {
    expect(creationMode('directory', 0o2775, 0o002)).toBe(0o775);
    expect(creationMode('directory', 0o1777, 0o022)).toBe(0o1755);
    expect(creationMode('file', 0o4755, 0o022)).toBe(0o4755);
  });
});

describe('mode formatting', () => {
  it.each([
    [0o640, '0640', 'rw-r-----'],
    [0o2750, '2750', 'rwxr-s---'],
    [0o2640, '2640', 'rw-r-S---'],
    [0o1777, '1777', 'rwxrwxrwt'],
    [0o1776, '1776', 'rwxrwxrwT'],
    [0o4755, '4755', 'rwsr-xr-x'],
    [0o4644, '4644', 'rwSr--r--'],
    [0, '0000', '---------'],
  ])('%o is %s and %s', (mode, octal, symbolic) => {
    expect(formatOctal(mode)).toBe(octal);
    expect(symbolicMode(mode)).toBe(symbolic);
  });
});
