import { describe, expect, it } from 'vitest';
import { describeModeSite, resultingMode } from '../../src/scan/meaning.js';
import { composerPackage, parseInstalled } from '../../src/scan/package.js';
import type { ModeSite } from '../../src/scan/types.js';

const base: ModeSite = {
  file: 'app/Cache.php',
  line: 10,
  column: 5,
  call: 'chmod',
  mode: 0o644,
  alternatives: [],
  origin: 'literal',
  applies: 'file',
  guessed: false,
  effect: { kind: 'chmod' },
};

describe('resultingMode: what an entry made at the site gets under a umask', () => {
  it('chmod ignores the umask; mkdir asks and the umask narrows; after umask(0) the request is exact', () => {
    expect(resultingMode(base, 0o002)).toBe(0o644);
    const mkdir: ModeSite = { ...base, call: 'mkdir', mode: 0o775, applies: 'directory', effect: { kind: 'create' } };
    expect(resultingMode(mkdir, 0o027)).toBe(0o750);
    expect(resultingMode({ ...mkdir, mode: 0o771, effect: { kind: 'create-forced', umask: 0 } }, 0o027)).toBe(0o771);
    expect(resultingMode({ ...base, applies: 'umask', effect: { kind: 'umask' } }, 0o022)).toBeUndefined();
  });
});

describe('describeModeSite: what it means and the fix', () => {
  it('a file chmod 0644: the group roles cannot update them; use 0666 & ~umask()', () => {
    const advice = describeModeSite(base, { groupRoles: ['cli', 'cron'] });
    expect(advice.meaning).toBe('files written or changed here are 0644 whatever the umask: cli and cron cannot update them');
    expect(advice.fix).toBe('use 0666 & ~umask() instead of 0644, so the umask decides');
  });

  it("Smarty's writefile: the variable is named, and the fix is Smarty's", () => {
    const site: ModeSite = {
      ...base,
      file: 'vendor/smarty/smarty/libs/sysplugins/smarty_internal_runtime_writefile.php',
      via: '$_file_perms',
      origin: 'variable',
      package: { name: 'smarty/smarty', dev: false },
    };
    const advice = describeModeSite(site);
    expect(advice.meaning).toBe(
      'files written or changed here are 0644 ($_file_perms) whatever the umask: roles that share the group cannot update them',
    );
    expect(advice.fix).toMatch(/^upgrade Smarty to 4\.3 or later .*\$smarty->_file_perms = 0664/);
  });

  it('world-writable, a narrowing mkdir, a forced umask, a umask() call, settings', () => {
    expect(describeModeSite({ ...base, mode: 0o666 }).meaning).toMatch(/0666 whatever the umask: any local user can change them$/);
    const mkdir: ModeSite = {
      ...base,
      call: 'mkdir',
      mode: 0o755,
      origin: 'parameter',
      via: '$mode',
      applies: 'directory',
      effect: { kind: 'create' },
    };
    expect(describeModeSite(mkdir).meaning).toBe(
      'directories created here ask for 0755 ($mode when the caller passes none), then the umask narrows it: at most 0755, so roles that share the group cannot create or delete entries in them',
    );
    const forced: ModeSite = { ...mkdir, mode: 0o771, origin: 'literal', via: undefined, effect: { kind: 'create-forced', umask: 0 } };
    expect(describeModeSite(forced).meaning).toBe(
      'directories created here are 0771 (after umask(0000)) whatever the umask: roles that share the group can create entries in them',
    );
    const umask: ModeSite = { ...base, call: 'umask', mode: 0, applies: 'umask', effect: { kind: 'umask' } };
    expect(describeModeSite(umask).meaning).toBe(
      'sets the process umask to 0000 whatever the service runs with: files it creates afterwards are 0666, directories 0777',
    );
    expect(describeModeSite({ ...base, call: "define('FS_CHMOD_FILE')", origin: 'setting' }).fix).toBe(
      "define('FS_CHMOD_FILE', 0664) in wp-config.php when the deploy user shares the web group",
    );
    expect(describeModeSite({ ...base, call: "$settings['file_chmod_file']", mode: 0o644 }).fix).toBe(
      "$settings['file_chmod_file'] = 0664; in settings.php",
    );
  });
});

describe('Composer packages', () => {
  const installed = parseInstalled(
    JSON.stringify({ packages: [{ name: 'smarty/smarty' }, { name: 'phpunit/phpunit' }], 'dev-package-names': ['phpunit/phpunit'] }),
  );

  it('a file under vendor/<vendor>/<name>/ belongs to that package; dev from installed.json', () => {
    expect(composerPackage('vendor/smarty/smarty/libs/Smarty.class.php', installed)).toEqual({ name: 'smarty/smarty', dev: false });
    expect(composerPackage('vendor/phpunit/phpunit/src/X.php', installed)).toEqual({ name: 'phpunit/phpunit', dev: true });
    expect(composerPackage('vendor/acme/unlisted/src/X.php', installed)).toEqual({ name: 'acme/unlisted', dev: undefined });
    expect(composerPackage('wp-content/plugins/p/vendor/a/b/src/X.php', installed)).toEqual({ name: 'a/b', dev: undefined });
  });

  it("the application's own code and Composer's autoloader are no package", () => {
    expect(composerPackage('app/Http/Kernel.php', installed)).toBeUndefined();
    expect(composerPackage('vendor/autoload.php', installed)).toBeUndefined();
    expect(composerPackage('vendor/composer/autoload_real.php', installed)).toBeUndefined();
  });

  it('Composer 1 lists packages as a bare array; broken JSON knows nothing', () => {
    expect([...parseInstalled('[{"name":"A/B"}]')]).toEqual([['a/b', false]]);
    expect(parseInstalled('{').size).toBe(0);
  });
});
