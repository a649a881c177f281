import type { ValueSource } from '../../src/discover/source.js';
import { describe, expect, it } from 'vitest';
import { RULE_IDS, type RuleId } from '../../src/rules/ids.js';
import { d, f, rule, settings, SUBJECTS, virtualAudit, WEB_ID, DEPLOY_ID, SHARED } from '../helpers/virtual-walk.js';

/** Settings with every rule off but these: a new rule is off here too, without naming it. */
const quiet = (rulesOn: readonly RuleId[]) =>
  settings({ severities: Object.fromEntries(RULE_IDS.filter((id) => !rulesOn.includes(id)).map((id) => [id, 'off' as const])) });

/** The findings of one rule alone, in walk order; a finding of any other rule fails the test. */
const only = (id: RuleId, tree: Parameters<typeof virtualAudit>[0], rules: Parameters<typeof virtualAudit>[1]) => {
  const findings = virtualAudit(tree, rules, { settings: quiet([id]) }).findings;
  expect(findings.filter((finding) => finding.rule !== id)).toEqual([]);
  return findings;
};

describe('access-denied', () => {
  it('names the missing bits through the class that applies, with a fix in that class', () => {
    const [finding] = only('access-denied', [d('.', 0o755), f('log', 0o644, WEB_ID, SHARED)], [rule('**', { cli: 'write' })]);
    expect(finding).toMatchObject({ rule: 'access-denied', severity: 'error', role: 'cli', path: 'log', fix: "chmod -- 0664 './log'" });
    expect(finding!.message).toBe(
      'cli cannot write log (-rw-r--r-- u33:g2000): cli is in group g2000, group has no w; it needs write access',
    );
  });

  it('fixes the owner class with u+', () => {
    const [finding] = only('access-denied', [d('.', 0o755), f('a', 0o044, DEPLOY_ID)], [rule('**', { cli: 'read' })]);
    expect(finding!.fix).toBe("chmod -- 0444 './a'");
  });
});

describe('access-excess', () => {
  it('flags code the web user can write', () => {
    const [finding] = only('access-excess', [d('.', 0o755), f('app.php', 0o664)], [rule('**', { web: 'read' })]);
    expect(finding).toMatchObject({ severity: 'warning', role: 'web', fix: "chmod -- 0644 './app.php'" });
  });

  it('ignores w without x on a directory, and x alone under none', () => {
    expect(only('access-excess', [d('.', 0o755), d('a', 0o761)], [rule('a', { web: 'read' })])).toEqual([]);
    expect(only('access-excess', [d('.', 0o755), d('a', 0o711)], [rule('a', { others: 'none' })])).toEqual([]);
  });

  it('never judges a symlink by its own (meaningless) mode', () => {
    const tree = [d('.', 0o755), { path: 'l', type: 'symlink' as const, mode: 0o777 }];
    expect(
      virtualAudit(tree, [rule('**', { web: 'read', cli: 'write' })], { settings: quiet(['access-excess', 'access-denied']) }).findings,
    ).toEqual([]);
  });

  it('leaves a readable secret to secret-exposed', () => {
    expect(only('access-excess', [d('.', 0o755), f('.env', 0o640)], [rule('.env', { web: 'none' }, { secret: true })])).toEqual([]);
  });
});

describe('secret-exposed', () => {
  it("flags others by the file's own mode, even when a directory above keeps them out", () => {
    const findings = only('secret-exposed', [d('.', 0o750), f('.env', 0o644)], [rule('.env', { others: 'none' }, { secret: true })]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ role: 'others', fix: "chmod -- 0640 './.env'" });
  });

  it('flags a role whose access is none but can read it', () => {
    const findings = only('secret-exposed', [d('.', 0o755), f('.env', 0o640)], [rule('.env', { web: 'none' }, { secret: true })]);
    expect(findings.map((x) => x.role)).toEqual(['web']);
  });
});

describe('world-writable', () => {
  it('is an error on a file and a plain directory, a warning on a sticky directory', () => {
    const findings = only('world-writable', [d('.', 0o755), f('a', 0o666), d('tmp', 0o1777), d('up', 0o777)], []);
    expect(findings.map((x) => `${x.path} ${x.severity}`)).toEqual(['a error', 'tmp warning', 'up error']);
  });

  it('ignores symlinks, whose mode means nothing', () => {
    expect(only('world-writable', [d('.', 0o755), { path: 'l', type: 'symlink', mode: 0o777 }], [])).toEqual([]);
  });
});

describe('special-bit', () => {
  it('flags setuid and setgid on regular files only', () => {
    const findings = only('special-bit', [d('.', 0o755), f('a', 0o4755), f('b', 0o2755), d('c', 0o2775)], []);
    expect(findings.map((x) => `${x.path} ${x.fix}`)).toEqual(["a chmod -- 0755 './a'", "b chmod -- 0755 './b'"]);
  });
});

describe('owner-mismatch', () => {
  it('compares owner and group with the policy', () => {
    const owner = { uid: DEPLOY_ID, label: 'deploy' };
    const group = { gid: SHARED, label: 'www-data' };
    const tree = [
      d('.', 0o755),
      f('a', 0o644, WEB_ID, 5),
      f('b', 0o644, DEPLOY_ID, 5),
      f('c', 0o644, WEB_ID, SHARED),
      f('ok', 0o644, DEPLOY_ID, SHARED),
    ];
    const findings = only('owner-mismatch', tree, [rule(['a', 'b', 'c', 'ok'], {}, { owner, group })]);
    // chown clears setuid and setgid, so the mode follows an owner change: here it is the same.
    expect(findings.map((x) => `${x.path}: ${x.fix}`)).toEqual([
      "a: chown -h -- 'u1001:g2000' './a'",
      "b: chgrp -h -- 'g2000' './b'",
      "c: chown -h -- 'u1001' './c'",
    ]);
    expect(findings[0]!.message).toBe('a (-rw-r--r-- u33:g5) should have owner deploy and group www-data');
  });
});

describe('severity settings', () => {
  it('raise a rule or turn it off', () => {
    const tree = [d('.', 0o755), f('app.php', 0o664)];
    const raised = virtualAudit(tree, [rule('**', { web: 'read' })], {
      settings: settings({ severities: { 'access-excess': 'error', 'mode-drift': 'off' } }),
    }).findings;
    expect(raised.map((x) => `${x.rule} ${x.severity}`)).toEqual(['access-excess error']);
  });

  it('keep the secondary case of a rule at its own severity', () => {
    const tree = [d('.', 0o755), d('tmp', 0o1777)];
    const findings = virtualAudit(tree, [], {
      settings: settings({ severities: { 'world-writable': 'info', 'mode-drift': 'off' } }),
    }).findings;
    expect(findings.map((x) => `${x.path} ${x.severity}`)).toEqual(['tmp warning']);
  });
});

describe('cross-context', () => {
  const writable = [rule('**', { web: 'write', cli: 'write' })];
  const run = (tree: Parameters<typeof virtualAudit>[0], webUmask: number, extra: Partial<Parameters<typeof settings>[0]> = {}) => {
    const subjects = SUBJECTS.map((s) => (s.role && s.name === 'web' ? { ...s, role: { ...s.role, umask: webUmask } } : s));
    return virtualAudit(tree, writable, { settings: { ...quiet(['cross-context']), subjects, ...extra } }).findings;
  };

  it('reports what web creates that cli cannot use, once for a subtree with the same outcome', () => {
    const tree = [
      d('.', 0o2770, DEPLOY_ID, SHARED),
      d('a', 0o2770, DEPLOY_ID, SHARED),
      d('a/b', 0o2770, DEPLOY_ID, SHARED),
      f('a/b/x', 0o660),
    ];
    const findings = run(tree, 0o022);
    const fromWeb = findings.filter((x) => x.creator === 'web');
    expect(fromWeb).toHaveLength(1);
    expect(fromWeb[0]).toMatchObject({
      path: '.',
      role: 'cli',
      entries: 3,
      lost: ['write', 'create-inside'],
      predicted: { file: { mode: '0644', owner: 'u33', group: 'g2000' }, dir: { mode: '2755' } },
    });
    expect(fromWeb[0]!.message).toBe(
      'web (u33, umask 0022) creates files 0644 u33:g2000 and directories 2755 u33:g2000 in .; cli (u1001) then cannot write those files or create entries in those directories; the same holds for the 2 directories below it',
    );
    // The directories already have the shared group and setgid: only web's umask is left to change.
    expect(fromWeb[0]!.fix).toBeUndefined();
    expect(fromWeb[0]!.advice).toMatch(/^give web umask 0002 so the group gets what web creates: UMask=0002 for PHP-FPM/);
  });

  // Failed: the advice said `systemctl edit php-fpm` on Debian, where the unit is php8.2-fpm.
  it("names the PHP-FPM unit discovery found, else Debian's from the pool file's path, else both distributions'", () => {
    const tree = [d('.', 0o2770, DEPLOY_ID, SHARED), f('x', 0o660)];
    const advice = (sources: ValueSource[]) => {
      const subjects = SUBJECTS.map((s) => (s.role && s.name === 'web' ? { ...s, role: { ...s.role, umask: 0o022, sources } } : s));
      const found = virtualAudit(tree, writable, { settings: { ...quiet(['cross-context']), subjects } }).findings;
      return found.find((x) => x.creator === 'web')!.advice;
    };
    const unit: ValueSource = { field: 'umask', kind: 'systemd', text: 'php8.1-fpm.service sets no UMask=', unit: 'php8.1-fpm.service' };
    const pool: ValueSource = {
      field: 'user',
      kind: 'fpm-pool',
      text: 'user = www-data',
      file: '/etc/php/8.3/fpm/pool.d/www.conf',
      line: 28,
    };
    expect(advice([pool, unit])).toContain('UMask=0002 for PHP-FPM (systemctl edit php8.1-fpm.service, then restart it)');
    expect(advice([pool])).toContain('UMask=0002 for PHP-FPM (systemctl edit php8.3-fpm, then restart it)');
    expect(advice([])).toContain('(systemctl edit on its unit: php8.2-fpm on Debian, php-fpm on RHEL; then restart it)');
  });

  it('reports nothing with umask 002 in setgid shared-group directories', () => {
    expect(run([d('.', 0o2770, DEPLOY_ID, SHARED), d('a', 0o2770, DEPLOY_ID, SHARED)], 0o002).filter((x) => x.creator === 'web')).toEqual(
      [],
    );
  });

  it('never reports roles that are the same user', () => {
    const same = SUBJECTS.map((s) =>
      s.role
        ? { ...s, principal: { uid: WEB_ID, gids: [WEB_ID] }, role: { ...s.role, uid: WEB_ID, gid: WEB_ID, gids: [WEB_ID], umask: 0o077 } }
        : s,
    );
    const findings = virtualAudit([d('.', 0o777, WEB_ID, WEB_ID)], writable, {
      settings: { ...quiet(['cross-context']), subjects: same },
    }).findings;
    expect(findings).toEqual([]);
  });
});
