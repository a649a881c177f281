import { describe, expect, it } from 'vitest';
import { CompiledPolicy } from '../../src/policy/compile.js';
import { checkGlob } from '../../src/policy/glob.js';
import { PatternSet, Reach } from '../../src/policy/patterns.js';
import { rule, SUBJECTS } from '../helpers/virtual-walk.js';

const N = SUBJECTS.length;
const WEB = 0;
const CLI = 1;

/** The policy of `rel`, computing directory states from the root down as a walk would. */
function policyOf(policy: CompiledPolicy, rel: string) {
  const parts = rel.split('/');
  let state = policy.root();
  for (let i = 1; i < parts.length; i++) state = policy.inside(parts.slice(0, i).join('/'), state);
  return policy.policyFor(state, rel);
}

describe('policy cascade', () => {
  const policy = new CompiledPolicy(
    [
      rule('**', { web: 'read', cli: 'write', others: 'none' }),
      rule(['var/**', 'generated/**'], { web: 'write' }),
      rule('var/secret.key', { web: 'none' }, { secret: true }),
      rule('sites/*/files/**', { web: 'write' }),
      rule('**/*.log', { cli: 'read' }),
    ],
    [],
    N,
  );

  it('applies entries in order, a later one overriding only the roles it names', () => {
    expect(policyOf(policy, 'index.php').levels).toEqual(['read', 'write', 'none']);
    expect(policyOf(policy, 'var/cache/a').levels).toEqual(['write', 'write', 'none']);
    expect(policyOf(policy, 'var/secret.key')).toMatchObject({ levels: ['none', 'write', 'none'], secret: true });
  });

  it("lets 'X/**' cover X itself even when X is a glob", () => {
    const globbed = new CompiledPolicy([rule('d*/**', { web: 'write' }), rule('{a,b}/x/**', { cli: 'read' })], ['tmp*/**'], N);
    expect(policyOf(globbed, 'd00').levels[WEB]).toBe('write');
    expect(policyOf(globbed, 'd00/f').levels[WEB]).toBe('write');
    expect(policyOf(globbed, 'b/x').levels[CLI]).toBe('read');
    expect(globbed.skipped(globbed.root(), 'tmp1')).toBe(true);
  });

  it("lets 'X/**' cover X itself, and match dot files", () => {
    expect(policyOf(policy, 'var').levels[WEB]).toBe('write');
    expect(policyOf(policy, 'generated/.htaccess').levels[WEB]).toBe('write');
    expect(policyOf(policy, '.env').levels[WEB]).toBe('read');
  });

  it('matches globs in the middle of a path and at any depth', () => {
    expect(policyOf(policy, 'sites/default/files/x/y.jpg').levels[WEB]).toBe('write');
    expect(policyOf(policy, 'sites/default/settings.php').levels[WEB]).toBe('read');
    expect(policyOf(policy, 'var/log/deep/a.log').levels).toEqual(['write', 'read', 'none']);
  });

  it('gives the root the entries that cover everything', () => {
    expect(policy.rootPolicy().levels).toEqual(['read', 'write', 'none']);
  });

  it('gives the same answers with more than 31 entries (the wide key)', () => {
    const padding = Array.from({ length: 40 }, (_, i) => rule(`nothing-${i}/**`, { web: 'none' }));
    const wide = new CompiledPolicy(
      [...padding, rule('**', { web: 'read', cli: 'write', others: 'none' }), rule('var/**', { web: 'write' })],
      [],
      N,
    );
    expect(policyOf(wide, 'var/cache/a').levels).toEqual(['write', 'write', 'none']);
    expect(policyOf(wide, 'nothing-3/x').levels).toEqual(['read', 'write', 'none']);
    expect(policyOf(wide, 'index.php').levels[CLI]).toBe('write');
  });
});

describe('pattern reach per directory', () => {
  it('knows when everything or nothing below a directory can match', () => {
    const set = new PatternSet(['var/**', 'sites/*/files/**', 'app/etc/env.php']);
    expect(set.reachInside('var', Reach.Test)).toBe(Reach.All);
    expect(set.reachInside('vendor', Reach.Test)).toBe(Reach.None);
    expect(set.reachInside('app', Reach.Test)).toBe(Reach.Test);
    expect(set.reachInside('app/etc/deeper', Reach.Test)).toBe(Reach.None);
    expect(set.reachInside('sites/default/files', Reach.Test)).toBe(Reach.All);
    expect(set.reachInside('sites/default', Reach.Test)).toBe(Reach.Test);
    expect(set.reachInside('', Reach.Test)).toBe(Reach.Test);
  });

  it('inherits All and None from the parent', () => {
    const set = new PatternSet(['x/**']);
    expect(set.reachInside('anything', Reach.All)).toBe(Reach.All);
    expect(set.reachInside('x', Reach.None)).toBe(Reach.None);
  });
});

describe('ignore', () => {
  it('skips matching entries and whole directories', () => {
    const policy = new CompiledPolicy([], ['node_modules/**', '**/*.tmp'], N);
    const root = policy.root();
    expect(policy.skipped(root, 'node_modules')).toBe(true);
    expect(policy.skipped(root, 'a.tmp')).toBe(true);
    expect(policy.skipped(root, 'src')).toBe(false);
    expect(policy.skipped(policy.inside('src', root), 'src/deep.tmp')).toBe(true);
  });
});

describe('checkGlob', () => {
  it.each([
    ['./var/**', 'var/**'],
    ['var/', 'var/**'],
    ['**/*.php', '**/*.php'],
  ])('normalises %s to %s', (glob, pattern) => {
    expect(checkGlob(glob)).toEqual({ ok: true, pattern });
  });

  it.each([
    ['', /empty/],
    ['/etc/**', /absolute/],
    ['../x', /'\.\.'/],
    ['!var/**', /negated/],
    ['a[b', /not a valid glob/],
    ['{a,b', /not a valid glob/],
  ])('rejects %j', (glob, reason) => {
    const checked = checkGlob(glob);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.reason).toMatch(reason);
  });
});

describe('--only', () => {
  const policy = new CompiledPolicy([], [], N, ['var/**', '**/*.key']);
  const root = policy.root();

  it('reports only matching entries', () => {
    expect(policy.reported(root, 'var')).toBe(true);
    expect(policy.reported(root, 'index.php')).toBe(false);
    expect(policy.reported(policy.inside('var', root), 'var/cache')).toBe(true);
    expect(policy.reported(policy.inside('app', root), 'app/x.key')).toBe(true);
    expect(policy.reported(undefined, '.')).toBe(false);
  });

  it('walks directories that may hold a match, and skips what cannot', () => {
    const literal = new CompiledPolicy([], [], N, ['var/cache/**', 'app/etc/env.php']);
    const top = literal.root();
    expect(literal.skipped(top, 'vendor')).toBe(true);
    expect(literal.skipped(top, 'var')).toBe(false);
    expect(literal.skipped(literal.inside('var', top), 'var/log')).toBe(true);
    expect(literal.skipped(top, 'app')).toBe(false);
    expect(literal.skipped(literal.inside('app', top), 'app/code')).toBe(true);
  });

  it('reports everything without --only', () => {
    const all = new CompiledPolicy([], [], N);
    expect(all.reported(undefined, '.')).toBe(true);
    expect(all.skipped(all.root(), 'anything')).toBe(false);
  });
});
