import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditFindings, runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { isRoot } from '../helpers/users.js';
import { createAccount, hostAccount, paste, removeAccount } from '../helpers/attacker.js';

/**
 * What root pastes must not act on a path the attacker can change: between the audit and the paste it
 * could swap a directory for a symlink out of the tree. The fix lines kept to that; three other
 * printed commands did not: the advice's `setfacl -R` (by path: a swapped directory below led it to a
 * root-only file, and the attacker got user:ATTACKER:rw- on it), its `chmod -t`, the chmod of a
 * directory above the root, and the `fix --dry-run` script.
 */
const web = hostAccount('www-data');
const other = hostAccount('backup');
const ready = isRoot && web !== undefined && other !== undefined;
const why = ready ? '' : ' (skipped: needs root and the accounts www-data and backup)';
const roles = ['--no-discover', '--web-user', 'www-data', '--cli-user', 'root', '--cron-user', 'root'];

interface Finding {
  rule: string;
  path: string;
  advice?: string;
  fix?: string;
}

function advice(app: string): Finding[] {
  const findings = auditFindings<Finding>(app, roles);
  return findings.filter((f) => f.advice !== undefined);
}

describe.skipIf(!ready)(`printed commands on paths the web user can change${why}`, () => {
  const tmp = makeTempDir('permcheck-advice-unsafe-');
  afterAll(() => tmp.cleanup());

  /** A Laravel tree (its marker files) with an empty storage/logs. */
  function laravel(app: string): void {
    mkdirSync(join(app, 'bootstrap'), { recursive: true });
    mkdirSync(join(app, 'storage/logs'), { recursive: true });
    writeFileSync(join(app, 'artisan'), '<?php\n');
    writeFileSync(join(app, 'bootstrap/app.php'), '<?php\n');
  }

  function symfony(app: string): void {
    for (const dir of ['bin', 'var/cache']) mkdirSync(join(app, dir), { recursive: true });
    writeFileSync(join(app, 'bin/console'), '<?php\n');
    writeFileSync(join(app, 'symfony.lock'), '{}\n');
  }

  it('advises default ACLs in words, not as setfacl -R, below a directory the web user owns', () => {
    const app = join(tmp.path, 'acl', 'app');
    symfony(app);
    chownSync(join(app, 'var'), web!.uid, web!.gid);
    chmodSync(join(app, 'var/cache'), 0o777);
    const found = advice(app).filter((f) => f.rule === 'cross-context');
    expect(found.length).toBeGreaterThan(0);
    for (const f of found) {
      expect(f.advice).not.toContain('setfacl');
      expect(f.advice).toContain('no command is printed');
    }
  });

  it('gives a directory above the root that someone else can change no chmod to paste', () => {
    const home = join(tmp.path, 'home');
    const app = join(home, 'app');
    symfony(app);
    chownSync(home, other!.uid, other!.gid);
    chmodSync(home, 0o700);
    const blocked = advice(app).filter((f) => f.rule === 'traverse-denied');
    expect(blocked.length).toBeGreaterThan(0);
    for (const f of blocked) {
      expect(f.advice).not.toContain('chmod --');
      expect(f.advice).toContain(`give o+x to ${home}`);
    }
  });

  it('writes fix --dry-run lines through the web user’s directory as one permcheck fix, not as commands; the script runs to its end', () => {
    const app = join(tmp.path, 'script', 'app');
    laravel(app);
    for (const log of ['a.log', 'b.log']) {
      writeFileSync(join(app, 'storage/logs', log), 'x');
      chmodSync(join(app, 'storage/logs', log), 0o600);
    }
    chownSync(join(app, 'storage'), web!.uid, web!.gid);
    chmodSync(join(app, 'bootstrap'), 0o777);
    const { code, stdout } = runCli(['fix', app, '--dry-run', ...roles]);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    // What no one untrusted can change stays a command.
    expect(lines).toContain("chmod -- 0755 './bootstrap'");
    // Shown, but as comments: no command that runs names a path through storage/.
    expect(lines.filter((line) => line.includes('./storage') && !line.startsWith('# '))).toEqual([]);
    expect(lines).toContain("# chmod -- 0660 './storage/logs/a.log'");
    // One permcheck fix at the end for all of them, which exit 1 (findings remain) does not stop.
    expect(lines.slice(-2)).toEqual([
      `permcheck fix '${app}' --web-user 'www-data' --cli-user 'root' --cron-user 'root' --no-discover --yes \\`,
      "  --only 'storage/**' || [ $? -eq 1 ]",
    ]);
    // Run as it is, as root would, with permcheck on the PATH: to its end, and every change made.
    const script = join(tmp.path, 'script', 'plan.sh');
    writeFileSync(script, stdout);
    const ran = paste(`bash ${script}`, app, { TMPDIR: tmp.path });
    expect(ran.status, ran.stderr).toBe(0);
    expect(statSync(join(app, 'bootstrap')).mode & 0o7777).toBe(0o755);
    for (const log of ['a.log', 'b.log']) expect(statSync(join(app, 'storage/logs', log)).mode & 0o7777).toBe(0o660);
  });

  // Failed: the script opened uploads/ to the web group (chmod 2775), then chmodded each file in it by
  // path; the web user swapped the last one for a symlink to a root-only file, which became 0664.
  it('changes nothing by path inside a directory the script itself opens to the web group', () => {
    const app = join(tmp.path, 'opened', 'app');
    mkdirSync(join(app, 'wp-content/uploads'), { recursive: true });
    writeFileSync(join(app, 'wp-config.php'), '<?php\n');
    for (const i of [1, 2, 3]) writeFileSync(join(app, `wp-content/uploads/img${i}.jpg`), 'x');
    const { stdout } = runCli(['fix', app, '--dry-run', '--preset', 'wordpress', ...roles]);
    const lines = stdout.trim().split('\n');
    expect(lines.filter((line) => line.includes("'./wp-content/uploads'"))).not.toEqual([]);
    expect(lines.filter((line) => line.includes('./wp-content/uploads/') && !line.startsWith('# '))).toEqual([]);
    expect(lines.at(-1)).toBe("  --only 'wp-content/uploads/**' || [ $? -eq 1 ]");
  });

  // Failed: a name that is not UTF-8 got `--only 'storage/logs/**'`, which applied the plan to every
  // sibling as well, not only to the entry its finding is about.
  it('points the fix of a name that is not UTF-8 at itself, not at its whole directory', () => {
    const app = join(tmp.path, 'bytes', 'app');
    laravel(app);
    const odd = Buffer.concat([Buffer.from(join(app, 'storage/logs/b')), Buffer.from([0xe9]), Buffer.from('.log')]);
    const sibling = join(app, 'storage/logs/c.log');
    writeFileSync(odd, 'x');
    chmodSync(odd, 0o600);
    // The sibling has a fix of its own (world-writable): one --only wider than the odd name would make it.
    writeFileSync(sibling, 'x');
    chmodSync(sibling, 0o666);
    for (const path of [join(app, 'storage'), join(app, 'storage/logs'), sibling]) chownSync(path, web!.uid, web!.gid);
    const found = auditFindings<Finding & { pathBytes?: string; fix?: string }>(app, roles).filter(
      (f) => f.pathBytes !== undefined && f.fix !== undefined,
    );
    expect(found.length).toBeGreaterThan(0);
    for (const f of found) expect(f.fix).toMatch(/ --only 'storage\/logs\/b\?\.log'$/);
    // That fix, run: the file changes, its sibling does not.
    const ran = paste(found[0]!.fix!, app, { TMPDIR: tmp.path });
    expect(ran.status === 0 || ran.status === 1, ran.stderr).toBe(true);
    expect(statSync(odd).mode & 0o7777).toBe(0o660);
    expect(statSync(sibling).mode & 0o7777).toBe(0o666);
  });

  // Failed: var/ (0750, group www-data) got `chmod -R -- g+w './var' && find -P './var' -type d -exec chmod g+s -- {} +`.
  // Once the first half ran, the web user could swap a directory below for a symlink before find's chmod
  // reached it, and a root binary outside the tree became setgid root.
  it('gives a subtree the plan opens to the web group a permcheck fix line, not chmod -R then find -exec', () => {
    const app = join(tmp.path, 'opens', 'app');
    symfony(app);
    for (const dir of ['var/cache/a', 'var/cache/b', 'var/log']) mkdirSync(join(app, dir), { recursive: true });
    chownSync(join(app, 'var'), 0, web!.gid);
    chmodSync(join(app, 'var'), 0o750);
    const fixes = auditFindings<Finding & { fix?: string }>(app, roles)
      .filter((f) => f.path === 'var' || f.path.startsWith('var/'))
      .flatMap((f) => (f.fix ? [f.fix] : []));
    expect(fixes.length).toBeGreaterThan(0);
    for (const fix of fixes) expect(fix).toMatch(/^permcheck fix .* --only 'var(\/[^']*)?'$/);
  });

  // Failed: var/ was safe to paste in, so its fix was `chmod -R -- o-r './var' && find -P './var' … -exec chmod …`,
  // which walked into var/evil, a directory a stranger owns though nothing in it changes: a file or
  // directory swapped there for a symlink between the walk's stat and chmod turned a root file 0773.
  it('prints no recursive command over a directory that holds one a stranger can change', () => {
    // The tree is backup's, whom the audit trusts; var/evil is a stranger's (www-data: no role here).
    const app = join(tmp.path, 'evil', 'app');
    for (const dir of ['src', 'var/log', 'var/cache', 'var/evil']) mkdirSync(join(app, dir), { recursive: true });
    // Enough of them that one recursive command at var/ is the shortest fix.
    const files = ['src/index.php', 'var/cache/c.php', ...Array.from({ length: 40 }, (_, i) => `var/log/f${i}.log`)];
    for (const file of files) writeFileSync(join(app, file), 'x');
    writeFileSync(join(app, 'var/evil/e.txt'), 'x');
    spawnSync('chown', ['-R', `${other!.uid}:${other!.gid}`, app]);
    for (const file of files.slice(1)) chmodSync(join(app, file), 0o2755);
    // Nothing a recursive o-r would change: the stranger's directory is no exception to it.
    chownSync(join(app, 'var/evil'), web!.uid, other!.gid);
    chownSync(join(app, 'var/evil/e.txt'), web!.uid, other!.gid);
    chmodSync(join(app, 'var/evil'), 0o2770);
    chmodSync(join(app, 'var/evil/e.txt'), 0o660);
    const config = join(tmp.path, 'evil', 'config.json');
    const paths = [
      { match: '**', access: { web: 'read', cli: 'write', others: 'read' } },
      { match: 'var/**', access: { web: 'none', cli: 'write', others: 'none' } },
    ];
    writeFileSync(config, JSON.stringify({ umask: '0002', paths }));
    const flags = ['--no-discover', '--web-user', 'nobody', '--cli-user', 'backup', '--trust', 'backup', '--config', config];
    const fixes = auditFindings<Finding & { fix?: string }>(app, flags).flatMap((f) => (f.fix ? [f.fix] : []));
    const reaches = fixes.flatMap((fix) => [...fix.matchAll(/(?:-R [^']*|find -P )'\.\/([^']*)'/g)].map((m) => m[1]));
    expect(reaches.length).toBeGreaterThan(0);
    expect(reaches.filter((dir) => dir === 'var' || dir === '.' || 'var/evil'.startsWith(`${dir}/`))).toEqual([]);
    expect(reaches).toContain('var/log');
  });

  // Failed: the web user named files so that the script's last line failed or skipped them: 'notes '
  // (the check trimmed the escaped space), a directory '{x}' (read as a literal '{x}/**'), 'a\\*' (its
  // glob matched nothing); set -e then stopped the script and plain.txt stayed world-writable.
  it('ends the dry-run script with globs that take exactly the hostile names it comments, and runs it whole', () => {
    const app = join(tmp.path, 'names', 'app');
    mkdirSync(join(app, '{x}'), { recursive: true });
    const files = ['notes ', 'a\\*', '{x}/f', 'plain.txt'];
    for (const name of files) {
      writeFileSync(join(app, name), 'x');
      chmodSync(join(app, name), 0o666);
    }
    chownSync(app, web!.uid, web!.gid);
    const { stdout } = runCli(['fix', app, '--dry-run', ...roles]);
    const script = join(tmp.path, 'names', 'plan.sh');
    writeFileSync(script, stdout);
    const ran = paste(`bash ${script}`, app, { TMPDIR: tmp.path });
    expect(ran.status, ran.stderr).toBe(0);
    for (const name of files) expect(statSync(join(app, name)).mode & 0o002, name).toBe(0);
  });

  // Failed while the script began #!/bin/sh: dash has no $'…' quoting, so it ended the quote of a name
  // early, and the next name's quote closed it again; what was between ran as root (a file PWN).
  it('runs a dry-run script under bash only: sh stops at once, before a hostile name becomes commands', () => {
    const app = join(tmp.path, 'dash', 'app');
    laravel(app);
    for (const name of ["k\t'; touch PWN; '", "l'm"]) {
      writeFileSync(join(app, 'storage/logs', name), 'x');
      chmodSync(join(app, 'storage/logs', name), 0o600);
    }
    chownSync(join(app, 'storage'), web!.uid, web!.gid);
    const { stdout } = runCli(['fix', app, '--dry-run', ...roles]);
    const script = join(tmp.path, 'dash', 'plan.sh');
    writeFileSync(script, stdout);
    const bySh = spawnSync('sh', [script], { cwd: app, encoding: 'utf8' });
    expect(bySh.status).toBe(2);
    expect(bySh.stderr).toBe('run this script with bash\n');
    expect(spawnSync('bash', ['-n', script]).status).toBe(0);
    expect(existsSync(join(app, 'PWN'))).toBe(false);
  });

  // Failed: the advice said `echo 002 > magento_umask` for a root the web user owns; it had made the
  // name a symlink, and the pasted echo wrote through it into a root-only file.
  it('gives Magento umask advice in words where someone untrusted can change the root', () => {
    const shop = join(tmp.path, 'magento', 'shop');
    mkdirSync(join(shop, 'bin'), { recursive: true });
    mkdirSync(join(shop, 'app/etc'), { recursive: true });
    mkdirSync(join(shop, 'var/cache'), { recursive: true });
    writeFileSync(join(shop, 'bin/magento'), '<?php\n');
    writeFileSync(join(shop, 'app/etc/env.php'), '<?php\n');
    chmodSync(join(shop, 'var/cache'), 0o777);
    chownSync(shop, web!.uid, web!.gid);
    // A deploy user in the web group, all under umask 0022: what each creates in var/cache shuts the
    // other out, and the umask (Magento's magento_umask) is the remedy.
    const deploy = createAccount('pcm');
    try {
      spawnSync('usermod', ['-a', '-G', web!.name, deploy.name]);
      const flags = ['--no-discover', '--web-user', 'www-data', '--cli-user', deploy.name, '--cron-user', deploy.name, '--umask', '0022'];
      const findings = auditFindings<Finding>(shop, flags);
      const found = findings.filter((f) => f.advice?.includes('magento_umask'));
      expect(found.length).toBeGreaterThan(0);
      for (const f of found) {
        expect(f.advice).not.toContain('echo');
        expect(f.advice).toContain("in the application's magento_umask");
      }
    } finally {
      removeAccount(deploy);
    }
  });

  // Failed: root owned the shop, so the advice said `echo 002 > magento_umask`; the plan's first fix gave
  // the root to the untrusted deploy user, who swapped magento_umask for a symlink to a root-only file
  // before the advice was pasted.
  it('gives Magento umask advice in words where the plan hands the root to someone untrusted', () => {
    const shop = join(tmp.path, 'magento-root', 'shop');
    for (const dir of ['bin', 'app/etc', 'var/cache']) mkdirSync(join(shop, dir), { recursive: true });
    writeFileSync(join(shop, 'bin/magento'), '<?php\n');
    writeFileSync(join(shop, 'app/etc/env.php'), '<?php return [];\n');
    writeFileSync(join(shop, 'magento_umask'), '022\n');
    writeFileSync(join(shop, 'var/cache/a'), 'x');
    chmodSync(join(shop, 'app/etc/env.php'), 0o640);
    chownSync(join(shop, 'var'), 0, web!.gid);
    chownSync(join(shop, 'var/cache'), 0, web!.gid);
    chmodSync(join(shop, 'var'), 0o2775);
    chmodSync(join(shop, 'var/cache'), 0o2775);
    const deploy = createAccount('pcr');
    try {
      spawnSync('usermod', ['-a', '-G', web!.name, deploy.name]);
      const findings = auditFindings<Finding>(shop, ['--no-discover', '--web-user', 'www-data', '--cli-user', deploy.name]);
      // The plan gives the root to deploy, whom nothing vouches for.
      expect(findings.some((f) => f.path === '.' && f.fix !== undefined)).toBe(true);
      const found = findings.filter((f) => f.advice?.includes('magento_umask'));
      expect(found.length).toBeGreaterThan(0);
      for (const f of found) expect(f.advice).not.toContain('echo');
    } finally {
      removeAccount(deploy);
    }
  });
});
