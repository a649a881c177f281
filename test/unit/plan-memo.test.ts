import { describe, expect, it } from 'vitest';
import type { Inode } from '../../src/access/types.js';
import { planEntry } from '../../src/plan/entry.js';
import { PlanMemo } from '../../src/plan/memo.js';
import { CompiledPolicy } from '../../src/policy/compile.js';
import { DEPLOY_ID, rule, settings, SHARED, WEB_ID } from '../helpers/virtual-walk.js';

describe('remembered plans', () => {
  // Several policies, so the memo must keep their plans apart; the default rules, so plans are not trivial.
  const auditSettings = settings({ trustedUids: [0, DEPLOY_ID] });
  const policy = new CompiledPolicy(
    [
      rule('**', { web: 'read', cli: 'write' }),
      rule('var/**', { web: 'write', cli: 'write' }),
      rule('app/etc/env.php', { web: 'read' }, { secret: true }),
      // web kept out: what it may not do matters here, not only what it needs.
      rule('priv/**', { web: 'none', cli: 'write' }),
    ],
    [],
    auditSettings.subjects.length,
  );
  const policies = ['index.php', 'var/cache', 'app/etc/env.php', 'priv/keys'].map((rel) =>
    policy.policyFor(policy.stateInside(rel.split('/').slice(0, -1).join('/')), rel),
  );
  expect(new Set(policies).size, 'four different entry policies').toBe(4);

  it('are the plans planEntry makes, for entries alike and unlike, in any order', () => {
    const memo = new PlanMemo(auditSettings);
    const modes = [0o644, 0o664, 0o666, 0o600, 0o755, 0o775, 0o2775, 0o777, 0o700, 0o4755, 0o1777];
    const owners = [0, WEB_ID, DEPLOY_ID, 4242];
    const groups = [0, WEB_ID, SHARED, 4242];
    let seed = 7;
    const pick = <T>(list: readonly T[]): T => list[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % list.length]!;
    let differing = 0;
    for (let i = 0; i < 800; i++) {
      const isDir = pick([true, false]);
      const inode: Inode = { type: isDir ? 'directory' : 'file', mode: pick(modes), uid: pick(owners), gid: pick(groups) };
      const entryPolicy = pick(policies);
      // The same entry asked again with what else the plan depends on changed, in a random order:
      // a key that left one of them out would hand back the plan made for another.
      const variants = (isDir ? [[], [0], [0, 1], [2]] : [[]]).flatMap((searchNeeded) =>
        [false, true].flatMap((underDefaultAcl) => (isDir ? [2] : [1, 2]).map((nlink) => ({ searchNeeded, underDefaultAcl, nlink }))),
      );
      const plans = new Set<string>();
      for (let left = variants.length; left > 0; left--) {
        const { searchNeeded, underDefaultAcl, nlink } = variants.splice(pick([...Array(left).keys()]), 1)[0]!;
        const expected = planEntry(inode, isDir, entryPolicy, auditSettings, searchNeeded, nlink, underDefaultAcl);
        expect(memo.plan(inode, isDir, entryPolicy, searchNeeded, nlink, underDefaultAcl)).toEqual(expected);
        plans.add(JSON.stringify(expected));
      }
      if (plans.size > 1) differing++;
    }
    // The comparison means something only if those variants often change the plan.
    expect(differing).toBeGreaterThan(200);
  });

  it('plan an entry with an ACL each time, from its ACL', () => {
    const memo = new PlanMemo(auditSettings);
    const plain: Inode = { type: 'directory', mode: 0o770, uid: DEPLOY_ID, gid: SHARED };
    // web gets rwx by a named entry (the mask lets it through): nothing to change for it.
    const withAcl: Inode = { ...plain, acl: { groupObj: 7, mask: 7, users: [{ id: WEB_ID, perm: 7 }], groups: [] } };
    const policyOfVar = policies[1]!;
    const first = memo.plan(plain, true, policyOfVar, [0], 2, false);
    const second = memo.plan(withAcl, true, policyOfVar, [0], 2, false);
    expect(first).toEqual(planEntry(plain, true, policyOfVar, auditSettings, [0], 2, false));
    expect(second).toEqual(planEntry(withAcl, true, policyOfVar, auditSettings, [0], 2, false));
    expect(second).not.toEqual(first);
  });
});
