import { describe, expect, it } from 'vitest';
import { exitCode } from '../../src/exit-code.js';

const counts = (errors: number, warnings: number, infos: number, races = 0) => ({ errors, warnings, infos, races });

describe('exitCode', () => {
  it.each([
    [counts(0, 0, 0), 'error', 0],
    [counts(1, 0, 0), 'error', 1],
    [counts(0, 5, 5), 'error', 0],
    [counts(0, 1, 0), 'warning', 1],
    [counts(0, 0, 1), 'warning', 0],
    [counts(0, 0, 1), 'info', 1],
    [counts(9, 9, 9), 'never', 0],
  ] as const)('%j with --fail-on %s exits %i', (c, failOn, code) => {
    expect(exitCode({ counts: c, failOn })).toBe(code);
  });

  it('defaults to failing on errors, and to 0 without findings', () => {
    expect(exitCode({ counts: counts(1, 0, 0) })).toBe(1);
    expect(exitCode({})).toBe(0);
  });

  it('exits 3 when the tree changed under the run, whatever --fail-on says', () => {
    expect(exitCode({ counts: counts(1, 0, 0, 1), failOn: 'never' })).toBe(3);
    expect(exitCode({ counts: counts(0, 0, 0, 1) })).toBe(3);
  });

  it('exits 2 when an input could not be processed, whatever the findings', () => {
    expect(exitCode({ inputErrors: 1 })).toBe(2);
    expect(exitCode({ inputErrors: 1, counts: counts(3, 0, 0), failOn: 'never' })).toBe(2);
  });
});
