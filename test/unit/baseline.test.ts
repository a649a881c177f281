import { describe, expect, it } from 'vitest';
import { BaselineFilter, baselineEntry, baselineOf, fingerprintOf } from '../../src/baseline/baseline.js';
import type { Finding } from '../../src/rules/contract.js';

const finding = (extra: Partial<Finding> = {}): Finding => ({
  rule: 'access-denied',
  severity: 'error',
  path: 'var/cache',
  role: 'web',
  message: 'web cannot write var/cache',
  fix: "chmod g+w 'var/cache'",
  entries: 1,
  found: { type: 'directory', mode: '0755', uid: 1001, gid: 33 },
  ...extra,
});

describe('baseline fingerprints: what was found, not how it is said', () => {
  it('ignores the message, fix, severity and the size of an aggregate', () => {
    const base = fingerprintOf(finding());
    expect(fingerprintOf(finding({ message: 'reworded', fix: 'other', advice: 'a', severity: 'warning', entries: 40 }))).toBe(base);
  });

  it('changes with the rule, path, role, and what was found', () => {
    const base = fingerprintOf(finding());
    for (const changed of [
      finding({ rule: 'access-excess' }),
      finding({ path: 'var/log' }),
      finding({ role: 'cli' }),
      finding({ role: undefined }),
      finding({ found: { type: 'directory', mode: '0700', uid: 1001, gid: 33 } }),
      finding({ found: { type: 'directory', mode: '0755', uid: 0, gid: 33 } }),
      finding({ lost: ['write'] }),
    ]) {
      expect(fingerprintOf(changed)).not.toBe(base);
    }
  });

  it('a filter accepts each entry once, and reports the ones that no longer occur', () => {
    const a = finding();
    const b = finding({ path: 'var/log' });
    const gone = finding({ path: 'pub/media' });
    const filter = new BaselineFilter('base.json', baselineOf([a, a, gone].map(baselineEntry)));
    expect([a, a, a, b].map((f) => filter.accepts(f))).toEqual([true, true, false, false]);
    expect(filter.outcome()).toEqual({ file: 'base.json', suppressed: 2, stale: [baselineEntry(gone)] });
  });

  it('a baseline lists its entries in a stable order, whatever order they were found in', () => {
    const entries = [
      finding({ path: 'b' }),
      finding({ path: 'a', role: 'cli' }),
      finding({ path: 'a', role: 'cli', rule: 'access-excess' }),
    ].map(baselineEntry);
    expect(baselineOf(entries).findings.map((e) => `${e.path} ${e.rule}`)).toEqual([
      'a access-denied',
      'a access-excess',
      'b access-denied',
    ]);
    expect(baselineOf([...entries].reverse())).toEqual(baselineOf(entries));
  });
});
