import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditFindings, runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { hasSetpriv, isRoot } from '../helpers/users.js';
import { createAccount, hasCommand, hostAccount, removeAccount, type Account } from '../helpers/attacker.js';

/**
 * A secret that an ACL entry lets a stranger read (user:NAME:r--, for no role) was reported with no
 * fix, and `permcheck fix` said there was nothing to change. The plan now takes the r away from the
 * entry and keeps the entry: removed, a stranger in the web group would read by the group's bits.
 */
const web = hostAccount('www-data');
const ready = isRoot && hasSetpriv() && web !== undefined && hasCommand('setfacl') && hasCommand('useradd');
const why = ready ? '' : ' (skipped: needs root, setpriv, the account www-data, useradd and setfacl from the Debian package acl)';

interface Finding {
  rule: string;
  path: string;
  message: string;
  fix?: string;
}

/** Whether a command succeeds as the account with all its groups, as a login would have them. */
function succeedsAs(account: Account, ...argv: string[]): boolean {
  return (
    spawnSync('setpriv', [`--reuid=${account.uid}`, `--regid=${account.gid}`, '--init-groups', '--', ...argv], { stdio: 'ignore' })
      .status === 0
  );
}

const reads = (account: Account, path: string) => succeedsAs(account, 'cat', path);

describe.skipIf(!ready)(`a secret an ACL entry lets a stranger read${why}`, () => {
  const tmp = makeTempDir('permcheck-secret-acl-');
  let stranger: Account | undefined;
  beforeAll(() => {
    stranger = createAccount('pcs');
    // In the web group: without its own entry it would read .env as the group does.
    spawnSync('usermod', ['-a', '-G', web!.name, stranger.name]);
  });
  afterAll(() => {
    removeAccount(stranger);
    tmp.cleanup();
  });
  const roles = ['--no-discover', '--web-user', 'www-data', '--cli-user', 'root', '--cron-user', 'root', '--only', '.env'];

  it('gets a fix that leaves the web user reading it and the stranger not', () => {
    const app = join(tmp.path, 'app');
    mkdirSync(join(app, 'bootstrap'), { recursive: true });
    writeFileSync(join(app, 'artisan'), '<?php\n');
    writeFileSync(join(app, 'bootstrap/app.php'), '<?php\n');
    const env = join(app, '.env');
    writeFileSync(env, 'DB_PASSWORD=hunter2\n');
    chownSync(env, 0, web!.gid);
    chmodSync(env, 0o640);
    expect(spawnSync('setfacl', ['-m', `u:${stranger!.name}:r`, env]).status).toBe(0);
    expect(reads(stranger!, env)).toBe(true);

    const findings = auditFindings<Finding>(app, roles);
    const exposed = findings.find((f) => f.rule === 'secret-exposed' && f.path === '.env');
    expect(exposed?.message).toContain(`readable by ${stranger!.name}, which no role is`);
    expect(exposed?.fix).toContain(`setfacl -m 'u:${stranger!.name}:---`);

    const fix = runCli(['fix', app, '--yes', ...roles]);
    expect(fix.code).toBe(0);
    expect(reads(stranger!, env)).toBe(false);
    expect(reads(web!, env)).toBe(true);
    const after = auditFindings<Finding>(app, roles);
    expect(after.filter((f) => f.rule === 'secret-exposed')).toEqual([]);
  });
  // Under a default ACL the umask is not used; a message that named only the umask made 0664 in a shared
  // group look writable (the ACL's group entry r-x decided).
  it('says a default ACL, not the umask, decides what the web user creates, and marks ACL modes with +', () => {
    const app = join(tmp.path, 'symfony');
    const cache = join(app, 'var/cache');
    mkdirSync(cache, { recursive: true });
    mkdirSync(join(app, 'bin'));
    writeFileSync(join(app, 'bin/console'), '<?php\n');
    writeFileSync(join(app, 'symfony.lock'), '{}\n');
    for (const dir of ['var', 'var/cache']) {
      chownSync(join(app, dir), 0, web!.gid);
      chmodSync(join(app, dir), 0o2775);
    }
    expect(spawnSync('setfacl', ['-d', '-m', 'u:www-data:rwX,g::r-X', cache]).status).toBe(0);
    const flags = [
      '--no-discover',
      '--web-user',
      'www-data',
      '--cli-user',
      stranger!.name,
      '--cron-user',
      stranger!.name,
      '--umask',
      '0002',
    ];
    const findings = auditFindings<Finding & { role: string }>(app, flags);
    const lost = findings.find((f) => f.rule === 'cross-context' && f.path === 'var/cache' && f.role === 'cli');
    expect(lost?.message).toMatch(/^web \(www-data, the default ACL of var\/cache decides, not umask 0002; .*creates files 0664\+ /);
  });
});

describe.skipIf(!ready)(`an ACL entry that lets a user who is no role write${why}`, () => {
  const tmp = makeTempDir('permcheck-stranger-acl-');
  afterAll(() => tmp.cleanup());

  it('is reported when the policy gives others less, fixed by taking the w from the entry, and the kernel agrees', () => {
    const nobody = hostAccount('nobody')!;
    const app = join(tmp.path, 'app');
    mkdirSync(join(app, 'src'), { recursive: true });
    writeFileSync(join(app, 'src/index.php'), '<?php\n');
    // Others may read the code and nothing more: a config says so, as a shared host would.
    writeFileSync(
      join(app, 'permcheck.config.json'),
      JSON.stringify({ preset: 'generic', paths: [{ match: '**', access: { others: 'read' } }] }),
    );
    expect(spawnSync('setfacl', ['-m', 'u:nobody:rwx', join(app, 'src')]).status).toBe(0);
    const writes = () => succeedsAs(nobody, 'touch', join(app, 'src/planted.php'));
    const flags = ['--no-discover', '--web-user', 'www-data', '--cli-user', 'root', '--cron-user', 'root', '--only', 'src'];
    const findings = auditFindings<Finding>(app, flags);
    const excess = findings.find((f) => f.rule === 'access-excess' && f.path === 'src');
    expect(excess?.message).toContain("nobody can write src (drwxrwxr-x+ root:root), which no role is, but others' access there is read");
    expect(excess?.fix).toContain("setfacl -m 'u:nobody:r-x");
    expect(runCli(['fix', app, '--yes', ...flags]).code).toBe(0);
    expect(writes()).toBe(false);
    expect(succeedsAs(nobody, 'ls', join(app, 'src'))).toBe(true);
  });

  it('is reported on code the presets give others no level for, and fixed: no one outside the roles writes', () => {
    const nobody = hostAccount('nobody')!;
    const app = join(tmp.path, 'laravel');
    mkdirSync(join(app, 'bootstrap'), { recursive: true });
    mkdirSync(join(app, 'vendor/pkg'), { recursive: true });
    writeFileSync(join(app, 'artisan'), '<?php\n');
    writeFileSync(join(app, 'bootstrap/app.php'), '<?php\n');
    const code = join(app, 'vendor/pkg/a.php');
    writeFileSync(code, '<?php\n');
    expect(spawnSync('setfacl', ['-m', 'u:nobody:rwx', code]).status).toBe(0);
    const writes = () => succeedsAs(nobody, 'sh', '-c', 'echo x >> "$1"', 'sh', code);
    expect(writes()).toBe(true);
    const flags = ['--no-discover', '--web-user', 'www-data', '--cli-user', 'root', '--cron-user', 'root', '--only', 'vendor/**'];
    const findings = auditFindings<Finding>(app, flags);
    const excess = findings.find((f) => f.rule === 'access-excess' && f.path === 'vendor/pkg/a.php');
    expect(excess?.message).toContain('which no role is, but no one outside the roles may write in the tree: its ACL entry user:nobody');
    expect(runCli(['fix', app, '--yes', ...flags]).code).toBe(0);
    expect(writes()).toBe(false);
  });
});
