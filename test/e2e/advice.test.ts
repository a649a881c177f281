import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditFindings } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { isRoot } from '../helpers/users.js';
import { hostAccount } from '../helpers/attacker.js';

/**
 * The advice under a finding is pasted as readily as a fix. After `chmod -R 777 var` (the usual way
 * to make a Symfony error go away), mode-drift once advised the owner's umask 0020: new entries
 * writable by every local user, because the web user writes there as "others". And cross-context's
 * ACL advice, left alone once the plan had given the group, began with a dangling "or".
 */
const web = hostAccount('www-data');
const ready = isRoot && web !== undefined;
const why = ready ? '' : ' (skipped: needs root, so that root owns the tree as the cli role, and the account www-data)';

interface Finding {
  rule: string;
  path: string;
  advice?: string;
}

describe.skipIf(!ready)(`advice on a Symfony tree after chmod -R 777 var${why}`, () => {
  const tmp = makeTempDir('permcheck-advice-');
  afterAll(() => tmp.cleanup());

  function advice(): Finding[] {
    const app = join(tmp.path, 'app');
    for (const dir of ['bin', 'var/cache', 'var/log']) mkdirSync(join(app, dir), { recursive: true });
    writeFileSync(join(app, 'bin/console'), '<?php\n');
    writeFileSync(join(app, 'symfony.lock'), '{}\n');
    for (const dir of ['var', 'var/cache', 'var/log']) chmodSync(join(app, dir), 0o777);
    const findings = auditFindings<Finding>(app, ['--no-discover', '--web-user', 'www-data', '--cli-user', 'root', '--cron-user', 'root']);
    return findings.filter((f) => f.advice !== undefined);
  }

  it('never advises a umask that lets others write what is created', () => {
    const found = advice();
    expect(found.some((f) => f.rule === 'mode-drift' && f.path === 'var')).toBe(false);
    const umasks = found.flatMap((f) => [...f.advice!.matchAll(/umask (0[0-7]{3})/g)].map((m) => Number.parseInt(m[1]!, 8)));
    for (const umask of umasks) expect(umask & 0o002).toBe(0o002);
  });

  it('reads as sentences: no advice begins with "or" or joins "then or"', () => {
    const found = advice();
    expect(found.filter((f) => f.rule === 'cross-context').length).toBeGreaterThan(0);
    for (const f of found) {
      expect(f.advice).not.toMatch(/^or /);
      expect(f.advice).not.toContain('then or');
    }
    expect(found.find((f) => f.rule === 'cross-context' && f.path === 'var')?.advice).toMatch(/^set default ACLs, which replace the umask/);
  });
});
