import { describe, expect, it } from 'vitest';
import { LISTED, MAX_EXCEPTIONS } from '../../src/audit/aggregate.js';
import type { Finding } from '../../src/rules/contract.js';
import { RULE_IDS, type RuleId } from '../../src/rules/ids.js';
import { pick, random } from '../helpers/tree.js';
import { d, DEPLOY_ID, f, rule, settings, SHARED, virtualAudit, WEB_ID, type VirtualEntry } from '../helpers/virtual-walk.js';

const only = (...kept: RuleId[]) => Object.fromEntries(RULE_IDS.filter((id) => !kept.includes(id)).map((id) => [id, 'off' as const]));
const ANY = [rule('**', {})];

function worldWritable(tree: VirtualEntry[]): Finding[] {
  return virtualAudit(tree, ANY, { settings: settings({ severities: only('world-writable') }) }).findings;
}

/** `count` files named `${dir}/fNNNN`, world-writable but those whose number is listed in `fixed`. */
function files(dir: string, count: number, fixed: number[] = []): VirtualEntry[] {
  const odd = new Set(fixed);
  return Array.from({ length: count }, (_, i) => f(`${dir}/f${String(i).padStart(4, '0')}`, odd.has(i) ? 0o644 : 0o666));
}

describe('aggregation that tolerates a few exceptions', () => {
  it('reports a subtree where nearly every entry shares a finding once, with its count and its exceptions', () => {
    const findings = worldWritable([d('.', 0o755), d('up', 0o777), ...files('up', 20, [3, 7])]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      path: 'up',
      entries: 19,
      exceptions: [
        { path: 'up/f0003', entries: 1 },
        { path: 'up/f0007', entries: 1 },
      ],
      exceptionCount: 2,
    });
    expect(findings[0]!.message).toContain('the same holds for 18 of the 20 entries below it');
  });

  it('does not report the ancestors of an odd directory again: only the directory is an exception', () => {
    const tree = [
      d('.', 0o755),
      d('var', 0o777),
      d('var/a', 0o777),
      ...files('var/a', 10),
      // Fixed by hand, but not what is inside it.
      d('var/a/b', 0o755),
      ...files('var/a/b', 2),
    ];
    const findings = worldWritable(tree);
    expect(findings.map((x) => [x.path, x.entries, x.exceptions])).toEqual([['var', 14, [{ path: 'var/a/b', entries: 1 }]]]);
  });

  it('lists a subtree that lacks the finding as one exception, with its size', () => {
    const tree = [
      d('.', 0o755),
      d('var', 0o777),
      ...files('var', 40),
      d('var/cache', 0o755),
      f('var/cache/a', 0o644),
      f('var/cache/b', 0o644),
    ];
    const [finding, ...rest] = worldWritable(tree);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ path: 'var', entries: 41, exceptions: [{ path: 'var/cache', entries: 3 }] });
    expect(finding!.message).toContain('the same holds for 40 of the 43 entries below it');
  });

  it(`names the first ${LISTED} exceptions and counts them all, up to ${MAX_EXCEPTIONS}`, () => {
    const odd = Array.from({ length: MAX_EXCEPTIONS }, (_, i) => i * 10);
    const findings = worldWritable([d('.', 0o755), d('var', 0o777), ...files('var', 2000, odd)]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ path: 'var', entries: 2001 - odd.length, exceptionCount: odd.length });
    expect(findings[0]!.exceptions!.map((e) => e.path)).toEqual(odd.slice(0, LISTED).map((i) => `var/f${String(i).padStart(4, '0')}`));
  });

  it(`reports each entry when more than ${MAX_EXCEPTIONS} entries and subtrees lack the finding`, () => {
    const odd = Array.from({ length: MAX_EXCEPTIONS + 1 }, (_, i) => i * 10);
    const findings = worldWritable([d('.', 0o755), d('var', 0o777), ...files('var', 2000, odd)]);
    expect(findings).toHaveLength(2000 - odd.length + 1);
    expect(findings.every((x) => x.entries === 1 && x.exceptions === undefined)).toBe(true);
  });

  it('reports each entry when fewer than 90% share the finding', () => {
    const findings = worldWritable([d('.', 0o755), d('var', 0o777), ...files('var', 20, [1, 2, 3])]);
    expect(findings).toHaveLength(18);
  });

  it('folds a small subtree with too large a share of exceptions into a larger one above it', () => {
    const small = [d('var', 0o777), f('var/a', 0o666), f('var/b', 0o666), f('var/c', 0o644)];
    // Alone, 3 of 4 is not "nearly every entry": each is reported.
    expect(worldWritable([d('.', 0o755), ...small]).map((x) => x.path)).toEqual(['var/a', 'var/b', 'var']);
    // Under a directory where 40 more share it, one finding lists the one exception.
    const findings = worldWritable([d('.', 0o777), ...files('.', 40).map((e) => ({ ...e, path: e.path.slice(2) })), ...small]);
    expect(findings.map((x) => [x.path, x.entries, x.exceptions])).toEqual([['.', 44, [{ path: 'var/c', entries: 1 }]]]);
  });

  it('does not count symlinks, which no rule judges, as exceptions', () => {
    const tree = [d('.', 0o755), d('var', 0o777), ...files('var', 5), { path: 'var/link', type: 'symlink' as const, mode: 0o777 }];
    expect(worldWritable(tree).map((x) => [x.path, x.entries, x.exceptions])).toEqual([['var', 6, undefined]]);
  });

  it('never lists an exception as a finding, and every entry with the finding is counted by exactly one', () => {
    let folded = 0;
    let checked = 0;
    for (let seed = 1; seed <= 80; seed++) {
      const tree = randomTree(seed);
      const findings = worldWritable(tree);
      folded += findings.filter((x) => x.exceptions).length;
      // Past LISTED exceptions, the unnamed cannot be told apart here: such a tree is not checked.
      if (findings.some((x) => x.exceptions && x.exceptions.reduce((n, e) => n + e.entries, 0) < x.exceptionCount!)) continue;
      checked++;
      const covered = new Map<string, number>();
      for (const finding of findings) {
        const mine = coveredBy(finding, tree);
        expect(mine.length, `seed ${seed}: ${finding.path} counts what it covers`).toBe(finding.entries);
        if (finding.exceptions) {
          const inside = (path: string) => (finding.path === '.' ? path !== '.' : path.startsWith(`${finding.path}/`));
          const below = tree.filter((e) => e.type !== 'symlink' && inside(e.path));
          expect(finding.entries + finding.exceptionCount!, `seed ${seed}: ${finding.path} counts its exceptions`).toBe(below.length + 1);
        }
        for (const path of mine) covered.set(path, (covered.get(path) ?? 0) + 1);
      }
      for (const entry of tree) {
        const has = (entry.mode & 0o002) !== 0;
        expect(covered.get(entry.path) ?? 0, `seed ${seed}: ${entry.path} (${entry.mode.toString(8)})`).toBe(has ? 1 : 0);
      }
    }
    // The trees are odd enough to fold with exceptions often.
    expect(folded).toBeGreaterThan(10);
    expect(checked).toBeGreaterThan(70);
  });
});

describe('the fix of a subtree with exceptions', () => {
  const G = 5; // a group web is not in
  const CODE = rule('**', { web: 'read', cli: 'write' });
  const VAR = rule('var/**', { web: 'write', cli: 'write' });
  // The shape of the recursive commands, as for a tree no one can change meanwhile (an archive): on a
  // live tree the web group's write, which these plans give, makes every fix inside a permcheck fix line.
  const options = (trustedUids: number[]) => ({
    settings: settings({
      trustedUids,
      raceFree: true,
      fixInvocation: 'permcheck fix /srv/app --yes',
      severities: { 'mode-drift': 'off' as const, 'cross-context': 'off' as const },
    }),
  });
  const denied = (tree: VirtualEntry[], trustedUids = [0, DEPLOY_ID]) =>
    virtualAudit(tree, [CODE, VAR], options(trustedUids)).findings.filter((x) => x.rule === 'access-denied');

  it('is one recursive command for many files when the exceptions are already where the plan wants them', () => {
    const tree = [
      d('.', 0o755),
      d('var', 0o755, DEPLOY_ID, G),
      ...Array.from({ length: 30 }, (_, i) => f(`var/f${i}`, 0o644, DEPLOY_ID, G)),
      // Fixed by hand: the group and mode the plan gives the others.
      f('var/f3', 0o664, DEPLOY_ID, SHARED),
      f('var/f4', 0o664, DEPLOY_ID, SHARED),
    ];
    const byPath = new Map(tree.map((e) => [e.path, e]));
    const findings = denied([...byPath.values()]);
    expect(findings.map((x) => [x.path, x.role, x.entries, x.exceptions?.map((e) => e.path)])).toEqual([
      ['var', 'web', 29, ['var/f3', 'var/f4']],
    ]);
    // chgrp and chmod g+w leave f3 and f4 as they are: the plan wants them as they are.
    expect(findings[0]!.fix).toBe("chgrp -R -h -- 'g2000' './var' && chmod -R -- g+w './var'");
  });

  it('falls back to the pointer when a recursive command would change an exception its plan keeps', () => {
    const tree = [
      d('.', 0o755),
      d('var', 0o755, DEPLOY_ID, G),
      ...Array.from({ length: 30 }, (_, i) => f(`var/f${i}`, 0o644, DEPLOY_ID, G)),
      // Web's own file, which cli must not touch: no finding, and its plan leaves it alone, so neither
      // chgrp -R nor chmod -R g+w may reach it.
      f('var/f3', 0o600, WEB_ID, WEB_ID),
    ];
    const byPath = new Map(tree.map((e) => [e.path, e]));
    const rules = [CODE, VAR, rule('var/f3', { web: 'write', cli: 'none' })];
    const [finding, ...rest] = virtualAudit([...byPath.values()], rules, options([0, DEPLOY_ID])).findings;
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ path: 'var', entries: 30, exceptions: [{ path: 'var/f3', entries: 1 }] });
    expect(finding!.fix).toBe("permcheck fix /srv/app --yes --only 'var/**'");
  });
});

/**
 * What a finding stands for: its path alone, or for an aggregate the entries below its path less its
 * exceptions (an entry, or a subtree when it counts more than one).
 */
function coveredBy(finding: Finding, tree: readonly VirtualEntry[]): string[] {
  if (finding.entries === 1 && !finding.exceptions) return [finding.path];
  const below = (path: string, entry: string) => path === '.' || entry === path || entry.startsWith(`${path}/`);
  return tree
    .filter((e) => e.type !== 'symlink' && below(finding.path, e.path))
    .filter((e) => !(finding.exceptions ?? []).some((x) => e.path === x.path || (x.entries > 1 && below(x.path, e.path))))
    .map((e) => e.path);
}

/** A tree where most entries are world-writable (chmod -R 777) and a few were fixed by hand. */
function randomTree(seed: number): VirtualEntry[] {
  const next = random(seed);
  const odd = pick(next, [0.02, 0.05, 0.15, 0.4]);
  const entries: VirtualEntry[] = [d('.', next() < odd ? 0o755 : 0o777)];
  const grow = (dir: string, depth: number) => {
    const width = 1 + Math.floor(next() * (depth === 0 ? 12 : 8));
    for (let i = 0; i < width; i++) {
      const path = dir === '.' ? `e${i}` : `${dir}/e${i}`;
      if (depth < 3 && next() < 0.3) {
        // Some subtrees were fixed as a whole (chmod -R), others not at all.
        const whole = next() < 0.1;
        entries.push(d(path, whole || next() < odd ? 0o755 : 0o777));
        if (whole) {
          for (let j = 0; j < 3; j++) entries.push(f(`${path}/k${j}`, 0o644));
        } else grow(path, depth + 1);
      } else entries.push(f(path, next() < odd ? 0o644 : 0o666));
    }
  };
  grow('.', 0);
  return entries;
}
