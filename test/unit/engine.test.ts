import { describe, expect, it } from 'vitest';
import { d, DEPLOY_ID, f, rule, settings, SHARED, virtualAudit, WEB_ID } from '../helpers/virtual-walk.js';

const CODE = rule('**', { web: 'read', cli: 'write' });
const VAR = rule('var/**', { web: 'write', cli: 'write' });
const summary = (findings: { rule: string; path: string; role?: string; entries: number }[]) =>
  findings.map((x) => `${x.rule} ${x.path} ${x.role ?? '-'} ${x.entries}`);

describe('the audit engine', () => {
  it('reports nothing on a tree that matches its policy', () => {
    const tree = [d('.', 0o2750), f('index.php', 0o640), d('var', 0o2770), f('var/a', 0o660)];
    expect(
      virtualAudit(tree, [CODE, VAR], { settings: settings({ severities: { 'mode-drift': 'off', 'cross-context': 'off' } }) }).findings,
    ).toEqual([]);
  });

  it('reports a subtree that shares a finding once, at its top, with the count', () => {
    const G = 5; // a group web is not in
    const tree = [
      d('.', 0o755),
      d('var', 0o755, DEPLOY_ID, G),
      d('var/cache', 0o755, DEPLOY_ID, G),
      f('var/cache/a', 0o644, DEPLOY_ID, G),
      f('var/cache/b', 0o644, DEPLOY_ID, G),
      d('var/cache/x', 0o755, DEPLOY_ID, G),
      f('var/cache/x/c', 0o644, DEPLOY_ID, G),
    ];
    // Run by deploy, who owns the tree.
    const audit = (raceFree: boolean) =>
      virtualAudit(tree, [CODE, VAR], {
        settings: settings({
          trustedUids: [0, DEPLOY_ID],
          raceFree,
          fixInvocation: 'permcheck fix /v --yes',
          severities: { 'mode-drift': 'off', 'cross-context': 'off' },
        }),
      }).findings;
    const findings = audit(true);
    // web is in the "other" class everywhere below var: one finding for all six entries.
    expect(summary(findings)).toEqual(['access-denied var web 6']);
    expect(findings[0]!.message).toContain('the same holds for the 5 entries below it');
    // Where no one can change the tree meanwhile (an archive), one command for the subtree, with the
    // group web and cli share, not web's own: cli writes there too.
    expect(findings[0]!.fix).toBe("chgrp -R -h -- 'g2000' './var' && chmod -R -- g+w './var'");
    // On a live tree the first half would let the group swap what the second reaches (chmod follows a
    // symlink): the plan opens var to it, so the fix goes through checked descriptors.
    expect(audit(false)[0]!.fix).toBe("permcheck fix /v --yes --only 'var/**'");
  });

  it('never prints a command naming a path inside a directory someone else can change: permcheck fix instead', () => {
    const G = 5;
    const tree = [d('.', 0o755, 0, 0), d('var', 0o755, DEPLOY_ID, G), f('var/a', 0o644, DEPLOY_ID, G), f('var/b', 0o644, DEPLOY_ID, G)];
    // Run by root, with var owned by deploy: deploy could swap var, or var/a, for a link before the paste.
    const { findings } = virtualAudit(tree, [CODE, VAR], {
      settings: settings({
        trustedUids: [0],
        severities: { 'mode-drift': 'off', 'cross-context': 'off' },
        fixInvocation: 'permcheck fix /v --yes',
      }),
    });
    const inVar = findings.filter((x) => x.path.startsWith('var'));
    expect(inVar.map((x) => `${x.path}: ${x.fix}`)).toEqual(["var: permcheck fix /v --yes --only 'var/**'"]);
  });

  it('points each entry below such a directory to permcheck fix by a glob that matches its name only', () => {
    const tree = [d('.', 0o755, 0, 0), d('up', 0o755, WEB_ID), f('up/a*[1]', 0o666, WEB_ID), f('up/!b', 0o644, WEB_ID)];
    const { findings } = virtualAudit(tree, [CODE], {
      settings: settings({
        trustedUids: [0],
        severities: { 'mode-drift': 'off', 'cross-context': 'off' },
        fixInvocation: 'permcheck fix /v --yes',
      }),
    });
    const worldWritable = findings.filter((x) => x.rule === 'world-writable');
    expect(worldWritable.map((x) => x.fix)).toEqual(["permcheck fix /v --yes --only 'up/a\\*\\[1\\]'"]);
  });

  it('gives only permcheck fix lines when someone untrusted could replace the root itself', () => {
    const tree = [d('.', 0o755, 0, 0), f('a', 0o666, 0, 0)];
    const { findings } = virtualAudit(tree, [CODE], {
      settings: settings({
        trustedUids: [0],
        rootSafe: false,
        severities: { 'mode-drift': 'off' },
        fixInvocation: 'permcheck fix /v --yes',
      }),
    });
    expect(findings.map((x) => `${x.rule} ${x.path}: ${x.fix}`)).toEqual([
      "access-excess a: permcheck fix /v --yes --only 'a'",
      "world-writable a: permcheck fix /v --yes --only 'a'",
      'access-denied .: permcheck fix /v --yes --only .',
    ]);
  });

  it('reports entries one by one when a single entry below breaks the pattern', () => {
    const tree = [d('.', 0o755), d('var', 0o755), f('var/a', 0o644), f('var/b', 0o666), f('var/c', 0o644)];
    const { findings } = virtualAudit(tree, [CODE, VAR], {
      settings: settings({ severities: { 'mode-drift': 'off', 'world-writable': 'off' } }),
    });
    // The directory's own finding comes once it is planned, after what is inside it.
    expect(summary(findings).filter((line) => line.startsWith('access-denied'))).toEqual([
      'access-denied var/a web 1',
      'access-denied var/c web 1',
      'access-denied var web 1',
    ]);
  });

  it('reports traverse-denied once at the blocking directory, counting what the role needs below', () => {
    const tree = [
      d('.', 0o755),
      d('pub', 0o700, DEPLOY_ID, SHARED),
      f('pub/index.php', 0o644),
      d('pub/media', 0o777),
      f('pub/media/x.jpg', 0o666),
      d('pub/secret', 0o755),
    ];
    const rules = [CODE, rule('pub/secret/**', { web: 'none' })];
    const { findings } = virtualAudit(tree, rules, {
      settings: settings({ severities: { 'mode-drift': 'off', 'world-writable': 'off', 'access-excess': 'off' } }),
    });
    // pub, index.php, media, x.jpg: four entries web needs; pub/secret it does not.
    expect(summary(findings)).toEqual(['traverse-denied pub web 4']);
    expect(findings[0]!.message).toBe(
      'web cannot enter pub (drwx------ u1001:g2000): web is in group g2000, group has no x; web needs pub itself and 3 entries below it',
    );
  });

  it('reports an ancestor of the root that blocks a role at the root', () => {
    const tree = [d('.', 0o755), f('a', 0o644), f('b', 0o644)];
    const block = { blocker: '/srv', inode: { type: 'directory' as const, mode: 0o700, uid: 0, gid: 0 }, ancestor: true, listsIt: false };
    const { findings } = virtualAudit(tree, [CODE], {
      ancestorBlocks: [block, undefined, undefined],
      settings: settings({ severities: { 'mode-drift': 'off' } }),
    });
    expect(summary(findings)).toEqual(['traverse-denied . web 3']);
    expect(findings[0]!.message).toMatch(
      /^web cannot enter \/srv \(drwx------ u0:g0\): web is neither the owner \(u0\) nor in group g0, others have no x; web cannot reach the audited directory: 3 entries/,
    );
  });

  it('never reports what ignore globs leave out, nor enters ignored directories', () => {
    const tree = [d('.', 0o755), d('node_modules', 0o777), f('node_modules/x', 0o666), f('app.php', 0o666)];
    const { findings } = virtualAudit(tree, [CODE], {
      ignore: ['node_modules/**'],
      settings: settings({ severities: { 'mode-drift': 'off', 'access-excess': 'off' } }),
    });
    expect(summary(findings)).toEqual(['world-writable app.php - 1']);
  });

  it('keeps the order of findings: children before their directory, siblings in name order', () => {
    const tree = [d('.', 0o755), f('b', 0o4755), d('a', 0o755), f('a/x', 0o4755), f('a/y', 0o644), f('c', 0o4755)];
    const { findings } = virtualAudit(tree, [CODE], { settings: settings({ severities: { 'mode-drift': 'off' } }) });
    expect(summary(findings)).toEqual(['special-bit a/x - 1', 'special-bit b - 1', 'special-bit c - 1']);
  });

  it('does not let a file break a directory-only uniformity, and does not fold unlike severities', () => {
    const tree = [d('.', 0o777), f('a', 0o644), d('t', 0o1777)];
    const { findings } = virtualAudit(tree, [rule('**', { cli: 'write' })], {
      settings: settings({ severities: { 'mode-drift': 'off' } }),
    });
    expect(findings.map((x) => `${x.rule} ${x.path} ${x.severity}`)).toEqual(['world-writable t warning', 'world-writable . error']);
  });

  it('does not report access-denied for entries a role cannot reach', () => {
    const tree = [d('.', 0o755), d('priv', 0o700), f('priv/a', 0o600)];
    const { findings } = virtualAudit(tree, [rule('**', { web: 'read' })], { settings: settings({ severities: { 'mode-drift': 'off' } }) });
    expect(findings.map((x) => x.rule)).toEqual(['traverse-denied']);
  });

  it('uses the owner role umask for mode-drift, and the default for others', () => {
    const tree = [d('.', 0o755, WEB_ID), f('a', 0o664, WEB_ID), f('b', 0o664, 4242)];
    const trustedUids = [0, DEPLOY_ID, WEB_ID];
    const { findings } = virtualAudit(tree, [], {
      settings: settings({ trustedUids, umaskByUid: new Map([[WEB_ID, 0o002]]), defaultUmask: 0o022 }),
    });
    expect(findings.map((x) => `${x.rule} ${x.path} ${x.severity}`)).toEqual(['mode-drift b warning', 'mode-drift . info']);
    expect(findings[0]!.message).toBe(
      'b (-rw-rw-r-- u4242:g2000) is 0664, more permissive than the 0644 that the default umask 0022 gives',
    );
    expect(findings[0]!.fix).toBe("chmod -- 0644 './b'");
  });
});
