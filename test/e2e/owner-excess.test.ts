import { chmodSync, chownSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditFindings, runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { hasSetpriv, isRoot } from '../helpers/users.js';
import { bashAs, hostAccount } from '../helpers/attacker.js';

/**
 * A plugin installed through wp-admin belongs to the web user. Its mode may say read-only (0444,
 * 0555), but an owner can always chmod: the web user can write that code with one command. The audit
 * must say so, and the fix must take the code away from it, not only its w bits (it once printed
 * chmod 0575 and 0464 and left www-data the owner).
 */
const web = hostAccount('www-data');
const ready = isRoot && hasSetpriv() && web !== undefined;
const why = ready ? '' : ' (skipped: needs root, setpriv and the account www-data)';

interface Finding {
  rule: string;
  path: string;
  role: string;
  message: string;
  entries?: number;
}

describe.skipIf(!ready)(`code the web user owns${why}`, () => {
  const tmp = makeTempDir('permcheck-owner-excess-');
  afterAll(() => tmp.cleanup());
  const roles = ['--no-discover', '--web-user', 'www-data', '--cli-user', 'root', '--cron-user', 'root'];

  /** WordPress deployed by root, one plugin the web user installed and then made read-only. */
  function site(name: string): { app: string; plugin: string; code: string } {
    const app = join(tmp.path, name);
    const plugin = join(app, 'wp-content/plugins/p');
    mkdirSync(plugin, { recursive: true });
    writeFileSync(join(app, 'wp-config.php'), '<?php\n');
    chmodSync(join(app, 'wp-config.php'), 0o640);
    chownSync(join(app, 'wp-config.php'), 0, web!.gid);
    const code = join(plugin, 'p.php');
    writeFileSync(code, '<?php\n');
    chownSync(plugin, web!.uid, web!.gid);
    chownSync(code, web!.uid, web!.gid);
    chmodSync(plugin, 0o555);
    chmodSync(code, 0o444);
    return { app, plugin, code };
  }

  it('is reported as code the web user can write, and the kernel agrees', () => {
    const { app, code } = site('report');
    const findings = auditFindings<Finding>(app, roles);
    // The plugin and its file, as one finding at the plugin's directory.
    const excess = findings.find((f) => f.rule === 'access-excess' && f.role === 'web' && f.path === 'wp-content/plugins/p');
    expect(excess?.message).toContain('web owns it, and an owner can always change its mode');
    expect(excess?.entries).toBe(2);
    // What the finding says, done by the web user itself.
    const done = bashAs(web!, 'chmod u+w "$1" && echo changed >> "$1"', code);
    expect(done.status).toBe(0);
  });

  it('is fixed by taking the code away from the web user, after which it cannot change it', () => {
    const { app, plugin, code } = site('fixed');
    const fix = runCli(['fix', app, '--yes', ...roles]);
    expect(fix.code).toBe(0);
    for (const path of [plugin, code]) expect(statSync(path).uid).not.toBe(web!.uid);
    const attempt = bashAs(web!, 'chmod u+w "$1" || exit 9; echo changed >> "$1"', code);
    expect(attempt.status).toBe(9);
    // It still reads the code it runs.
    expect(bashAs(web!, 'cat "$1"', code).stdout).toBe('<?php\n');
    const after = auditFindings<Finding>(app, roles);
    expect(after.filter((f) => f.rule === 'access-excess' || f.rule === 'access-denied')).toEqual([]);
  });
});
