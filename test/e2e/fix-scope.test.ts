import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditFindings, runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { isRoot } from '../helpers/users.js';
import { hasCommand, hostAccount } from '../helpers/attacker.js';

/**
 * `permcheck fix` applies the plan the audit prints, and a fix stands under a finding only when it
 * ends it. Two ways that once failed: the plan of a directory with a default ACL added every role's
 * entry to it although no finding there asked for it (fix changed what the audit never listed), and
 * a block above the audited root carried the root's own unrelated change as its fix.
 */
const web = hostAccount('www-data');
const ready = isRoot && web !== undefined && hasCommand('setfacl') && hasCommand('getfacl');
const why = ready ? '' : ' (skipped: needs root, the account www-data, and setfacl and getfacl from the Debian package acl)';
const roles = ['--no-discover', '--web-user', 'www-data', '--cli-user', 'root', '--cron-user', 'root'];

interface Finding {
  rule: string;
  path: string;
  fix?: string;
  advice?: string;
}

function laravel(app: string): void {
  mkdirSync(join(app, 'bootstrap'), { recursive: true });
  writeFileSync(join(app, 'artisan'), '<?php\n');
  writeFileSync(join(app, 'bootstrap/app.php'), '<?php\n');
}

describe.skipIf(!ready)(`what permcheck fix changes${why}`, () => {
  const tmp = makeTempDir('permcheck-fix-scope-');
  afterAll(() => tmp.cleanup());

  it('leaves a default ACL alone when no finding there asks for a change', () => {
    const app = join(tmp.path, 'acl', 'app');
    laravel(app);
    const pub = join(app, 'storage/app/public');
    mkdirSync(pub, { recursive: true });
    for (const dir of ['storage', 'storage/app', 'storage/app/public']) {
      chownSync(join(app, dir), 0, web!.gid);
      chmodSync(join(app, dir), 0o2775);
    }
    expect(spawnSync('setfacl', ['-d', '-m', 'u:nobody:rwX', pub]).status).toBe(0);
    const acl = () => spawnSync('getfacl', ['-cp', pub], { encoding: 'utf8' }).stdout;
    const before = acl();
    const findings = auditFindings<Finding>(app, roles);
    expect(findings.filter((f) => f.path === 'storage/app/public' && f.fix !== undefined)).toEqual([]);
    const fix = runCli(['fix', app, '--yes', ...roles]);
    expect(fix.stdout).not.toContain('storage/app/public');
    expect(acl()).toBe(before);
  });

  it('gives a block above the audited root advice, not the root’s own change as its fix', () => {
    const above = join(tmp.path, 'private');
    const app = join(above, 'app');
    laravel(app);
    chmodSync(above, 0o750);
    // The root has a change of its own (world-writable): it ends that finding, not the block above.
    chmodSync(app, 0o777);
    const findings = auditFindings<Finding>(app, roles);
    const blocked = findings.filter((f) => f.rule === 'traverse-denied' && f.path === '.');
    expect(blocked.length).toBeGreaterThan(0);
    for (const f of blocked) {
      expect(f.fix).toBeUndefined();
      expect(f.advice).toContain(`chmod -- o+x '${above}'`);
    }
    expect(findings.find((f) => f.rule === 'world-writable' && f.path === '.')?.fix).toBe("chmod -- 0755 '.'");
  });
});
