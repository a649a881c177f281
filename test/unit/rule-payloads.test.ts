import { describe, expect, it } from 'vitest';
import { RULE_IDS } from '../../src/rules/ids.js';
import type { Candidate } from '../../src/rules/contract.js';
import { crossContextDetail } from '../../src/rules/cross-context.js';
import { ownerPayload } from '../../src/rules/owner-mismatch.js';
import { candidateKey, ruleOfKey } from '../../src/rules/rule.js';
import { exposurePayload } from '../../src/rules/secret-exposed.js';
import { specialBitDetail } from '../../src/rules/special-bit.js';
import { traversePayload, traverseCandidate } from '../../src/rules/traverse-denied.js';
import { walkErrorCandidate, walkErrorPayload } from '../../src/rules/walk-error.js';
import { worldWritableDetail } from '../../src/rules/world-writable.js';
import { LOST_CREATE_INSIDE, LOST_DELETE, LOST_READ, LOST_WRITE } from '../../src/predict/loss.js';
import { d, f, rule, settings, virtualAudit } from '../helpers/virtual-walk.js';

const inode = { type: 'directory' as const, mode: 0o700, uid: 1, gid: 1 };
const bare = (detail: number, extra?: Candidate['extra']): Candidate => ({
  rule: 'cross-context',
  severity: 'error',
  key: 0,
  rel: 'x',
  inode,
  subject: 0,
  detail,
  entries: 1,
  ...(extra ? { extra } : {}),
});

describe('rule payloads: what a rule encodes, it decodes', () => {
  it('cross-context: every loss, with or without writing, for creators far past 127 roles', () => {
    for (const lost of [LOST_READ, LOST_WRITE | LOST_DELETE, LOST_READ | LOST_WRITE | LOST_CREATE_INSIDE | LOST_DELETE]) {
      for (const writes of [false, true]) {
        for (const creator of [0, 1, 127, 128, 40_000]) {
          expect(crossContextDetail.decode(bare(crossContextDetail.encode({ lost, writes, creator })))).toEqual({ lost, writes, creator });
        }
      }
    }
  });

  it('special-bit and world-writable', () => {
    for (const bits of [
      { setuid: true, setgid: false },
      { setuid: false, setgid: true },
      { setuid: true, setgid: true },
    ]) {
      expect(specialBitDetail.decode(bare(specialBitDetail.encode(bits)))).toEqual(bits);
    }
    for (const sticky of [false, true])
      expect(worldWritableDetail.decode(bare(worldWritableDetail.encode({ sticky })))).toEqual({ sticky });
  });

  it('traverse-denied, walk-error, owner-mismatch and secret-exposed carry a tagged payload, and refuse another', () => {
    const block = { blocker: 'var', inode, ancestor: false, listsIt: true };
    expect(traversePayload.decode(traverseCandidate('error', 0, 'var/a', block, 3))).toEqual(block);
    const problem = { message: 'cannot list var: permission denied', code: 'EACCES' };
    expect(walkErrorPayload.decode(walkErrorCandidate('error', 'var', problem))).toEqual(problem);
    const wanted = { owner: 'deploy' };
    expect(ownerPayload.decode(bare(0, ownerPayload.encode(wanted)))).toEqual(wanted);
    expect(ownerPayload.detail({ owner: 'a' })).not.toBe(ownerPayload.detail({ group: 'b' }));
    const exposure = { kind: 'acl-user' as const, id: 33, perm: 4 };
    expect(exposurePayload.decode(bare(0, exposurePayload.encode({ exposure })))).toEqual({ exposure });
    const content = { kind: 'credentials' as const, keys: ['DB_PASSWORD'] };
    expect(exposurePayload.decode(bare(0, exposurePayload.encode({ exposure, content })))).toEqual({ exposure, content });
    expect(exposurePayload.encode({})).toBeUndefined();
    expect(exposurePayload.decode(bare(0))).toEqual({});
    expect(() => traversePayload.decode(bare(0, walkErrorPayload.encode(problem)))).toThrow(/carries no block/);
    expect(() => exposurePayload.decode(bare(0, ownerPayload.encode(wanted)))).toThrow(/owner-mismatch payload/);
  });
});

describe('aggregation keys', () => {
  it('differ whenever rule, severity, role or the rule’s own part differ, past 127 roles', () => {
    const keys = new Set<number>();
    let made = 0;
    for (const id of RULE_IDS)
      for (const severity of ['error', 'warning', 'info'] as const)
        for (const subject of [-1, 0, 1, 126, 127, 128, 255, 1000])
          for (const extra of [0, 1, 65_535, 65_536, 2 ** 21]) {
            const key = candidateKey(id, severity, subject, extra);
            expect(ruleOfKey(key)).toBe(id);
            keys.add(key);
            made++;
          }
    expect(keys.size).toBe(made);
  });

  it('refuse a part out of its range instead of colliding', () => {
    expect(() => candidateKey('access-denied', 'error', 2 ** 16)).toThrow(/out of range/);
    expect(() => candidateKey('access-denied', 'error', 0, 2 ** 24)).toThrow(/out of range/);
    expect(() => candidateKey('access-denied', 'error', -2)).toThrow(/out of range/);
  });

  it('keep a sticky world-writable directory apart from a plain one, even at one configured severity', () => {
    const tree = [d('.', 0o755), d('up', 0o777), d('up/tmp', 0o1777), f('up/a', 0o666)];
    const off = Object.fromEntries(RULE_IDS.filter((id) => id !== 'world-writable').map((id) => [id, 'off' as const]));
    const { findings } = virtualAudit(tree, [rule('**', {})], {
      settings: settings({ severities: { ...off, 'world-writable': 'warning' } }),
    });
    // up has three entries and one lacks its finding: too many to fold, so each is reported.
    expect(findings.map((x) => `${x.path} ${x.entries}`).sort()).toEqual(['up 1', 'up/a 1', 'up/tmp 1']);
    expect(findings.find((x) => x.path === 'up/tmp')!.message).toContain('with the sticky bit');
  });
});
