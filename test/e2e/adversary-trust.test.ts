import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { hasSetpriv, isRoot, runAs, STRANGER, WEB, writeUserFiles } from '../helpers/users.js';

const WWW = 21100;

/**
 * Issue 10, files that decide what permcheck does. The trusted-file check looks at the file's own
 * owner and mode; these attacks use files that pass it (root owns them) but were put in place by the
 * attacker: renamed inside a directory the web user may write (a group-writable root, as shared-group
 * setups and Magento's one-user setup have), or reached through the attacker's symlink.
 */
describe.skipIf(!isRoot || !hasSetpriv())('files the attacker puts in place', () => {
  const tmp = makeTempDir('permcheck-adv-trust-');
  let users: string[];

  beforeAll(() => {
    const files = writeUserFiles(tmp.path);
    users = ['--passwd', files.passwd, '--group', files.group];
  });
  afterAll(() => tmp.cleanup());

  /** An application root that root owns and the www group (the web user's) may write. */
  function sharedRoot(name: string): string {
    const app = join(tmp.path, name);
    mkdirSync(app);
    chownSync(app, 0, WWW);
    chmodSync(app, 0o2775);
    return app;
  }

  // Failed while readMagentoUmask() checked who owns magento_umask, not who could have put it there,
  // and the parse error quoted the text (an excerpt, then the whole clause in the reason). What is
  // not a umask is now refused without a byte of it.
  it('a root-only file the web user renames to magento_umask: nothing of it is printed (regression)', () => {
    const app = sharedRoot('magento');
    mkdirSync(join(app, 'bin'));
    writeFileSync(join(app, 'bin/magento'), '<?php\n');
    // Basic-auth credentials root keeps in the root; the web user cannot read them.
    writeFileSync(join(app, '.htpasswd'), 'admin:$apr1$Xy7.Sa1t$SECRETHASH0123456789\n', { mode: 0o640 });
    chownSync(join(app, '.htpasswd'), 0, 0);
    expect(() => runAs(WEB, 'cat', [join(app, '.htpasswd')])).toThrow();
    runAs(WEB, 'mv', [join(app, '.htpasswd'), join(app, 'magento_umask')]);
    const result = runCli(['audit', app, ...users, '--web-user', 'web', '--cli-user', 'root', '--no-discover', '--jobs', '1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/magento_umask does not hold a umask/);
    expect(result.stdout + result.stderr).not.toMatch(/SECRETHASH|apr1|admin:/);
  });

  // Failed while auditConfig() took permcheck.config.json from the audited directory when root owned
  // it, without asking who may write that directory (nearestConfig() did, for access): the web user
  // renamed root's spare config over the real one and public/shell.php (setuid, world-writable) was
  // gone from the report. A config in such a root is now refused, exit 2, until --config names it.
  it('a spare root-owned config the web user renames over the real one decides nothing (regression)', () => {
    const app = sharedRoot('spare');
    writeFileSync(join(app, 'permcheck.config.json'), JSON.stringify({ preset: 'generic' }));
    // An old experiment root left beside it.
    writeFileSync(join(app, 'permcheck.config.json.orig'), JSON.stringify({ ignore: ['**'] }));
    mkdirSync(join(app, 'public'));
    writeFileSync(join(app, 'public/shell.php'), '<?php\n');
    chmodSync(join(app, 'public/shell.php'), 0o4777);
    const flags = [...users, '--web-user', 'web', '--cli-user', 'root', '--no-discover', '--jobs', '1'];
    const config = join(app, 'permcheck.config.json');
    // Root checked it and vouches for it by name.
    const vouched = runCli(['audit', app, '--config', config, ...flags]);
    expect(vouched.stdout).toMatch(/shell\.php/);
    runAs(WEB, 'mv', [join(app, 'permcheck.config.json.orig'), config]);
    const planted = runCli(['audit', app, ...flags]);
    expect(planted.code).toBe(2);
    expect(planted.stdout).toBe('');
    expect(planted.stderr).toMatch(/spare, where group \S+ can put a file or rename one over it/);
    expect(planted.stderr).toMatch(/--config /);
  });

  it('a root-only file the web user renames to permcheck.config.json: the error quotes nothing of it (regression)', () => {
    const app = sharedRoot('env');
    writeFileSync(join(app, '.env'), 'APP_KEY=base64:SUPERSECRETKEY\nDB_PASSWORD=hunter2\n', { mode: 0o640 });
    chownSync(join(app, '.env'), 0, 0);
    runAs(WEB, 'mv', [join(app, '.env'), join(app, 'permcheck.config.json')]);
    const result = runCli(['audit', app, ...users, '--web-user', 'web', '--cli-user', 'root', '--no-discover', '--jobs', '1']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout + result.stderr).not.toMatch(/SUPERSECRET|hunter2|APP_KEY/);
  });

  // Failed while init resolved DIR by name and opened DIR/permcheck.config.json with O_NOFOLLOW,
  // which guards the last component only: a tenant's www that is a symlink put a root-owned config,
  // trusted by every later audit, in the directory it points to, and said it wrote the tenant's.
  it("init on a tenant's www that is a symlink writes nothing where it points (regression)", () => {
    const tenant = join(tmp.path, 'home-tenant');
    const victim = join(tmp.path, 'victim');
    mkdirSync(tenant);
    mkdirSync(victim);
    writeFileSync(join(victim, 'index.php'), '<?php\n');
    chownSync(tenant, STRANGER.uid, STRANGER.gid);
    runAs(STRANGER, 'ln', ['-s', victim, join(tenant, 'www')]);
    const result = runCli(['init', join(tenant, 'www'), '--no-discover']);
    expect({ code: result.code, written: existsSync(join(victim, 'permcheck.config.json')) }).toEqual({ code: 2, written: false });
  });

  it('init over a symlink in the config file itself leaves its target alone (regression)', () => {
    const app = join(tmp.path, 'init-link');
    mkdirSync(app);
    writeFileSync(join(tmp.path, 'init-target'), 'untouched');
    symlinkSync(join(tmp.path, 'init-target'), join(app, 'permcheck.config.json'));
    expect(runCli(['init', app, '--no-discover']).code).toBe(2);
    expect(runCli(['init', app, '--no-discover', '--force']).code).toBe(0);
    expect(readFileSync(join(tmp.path, 'init-target'), 'utf8')).toBe('untouched');
  });
});
