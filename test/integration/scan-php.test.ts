import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { scanPhpModes } from '../../src/scan/index.js';
import { readSource } from '../../src/scan/read.js';
import type { ScanResult } from '../../src/scan/types.js';
import { makeTempDir } from '../helpers/tmp.js';

const SMARTY3 = '/usr/share/php/smarty3';
const WORDPRESS = '/usr/share/wordpress';
const WRITEFILE = 'sysplugins/smarty_internal_runtime_writefile.php';
const oct = (mode: number) => mode.toString(8).padStart(4, '0');

/** Skip with the Debian package named in the test's title when it is missing. */
const withPackage = (path: string) => (existsSync(path) ? it : it.skip.bind(it)) as typeof it;
const title = (path: string, pkg: string, name: string) =>
  existsSync(path) ? name : `${name} (skipped: Debian package ${pkg} is not installed)`;

/** Line numbers of a text in a file: where the real source has it, not where the test thinks. */
function lineOf(file: string, text: string): number {
  return (
    readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((line) => line.includes(text)) + 1
  );
}

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir('permcheck-scan-');
});
afterEach(() => tmp.cleanup());

function write(rel: string, content: string | Buffer): void {
  const path = join(tmp.path, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
}

describe('the scan over real code', () => {
  withPackage(SMARTY3)(title(SMARTY3, 'smarty3', "finds Smarty 3's chmod 0644 in /usr/share/php/smarty3, once"), async () => {
    const result = await scanPhpModes(SMARTY3);
    const chmod = result.sites.filter((s) => s.file === WRITEFILE && s.call === 'chmod');
    expect(chmod).toHaveLength(1);
    expect(chmod[0]).toMatchObject({
      line: lineOf(join(SMARTY3, WRITEFILE), 'chmod($_filepath, $_file_perms);'),
      mode: 0o644,
      origin: 'variable',
      via: '$_file_perms',
      applies: 'file',
      effect: { kind: 'chmod' },
      valueLine: lineOf(join(SMARTY3, WRITEFILE), '$_file_perms = property_exists'),
    });
    const mkdir = result.sites.find((s) => s.file === WRITEFILE && s.call === 'mkdir');
    expect(mkdir).toMatchObject({ mode: 0o771, effect: { kind: 'create-forced', umask: 0 } });
    expect(result.counts.parsed).toBeLessThan(result.counts.listed / 10);
    expect(result.notes).toEqual([]);
  });

  withPackage(SMARTY3)(title(SMARTY3, 'smarty3', 'names the Composer package of vendored Smarty, and its dev flag'), async () => {
    cpSync(SMARTY3, join(tmp.path, 'vendor/smarty/smarty/libs'), { recursive: true });
    write(
      'vendor/composer/installed.json',
      JSON.stringify({ packages: [{ name: 'smarty/smarty', version: 'v3.1.47' }], 'dev-package-names': [] }),
    );
    write('src/Page.php', '<?php\nfunction page($smarty) { return $smarty->fetch("page.tpl"); }\n');
    const result = await scanPhpModes(tmp.path);
    const site = result.sites.find((s) => s.call === 'chmod')!;
    expect(site.file).toBe(`vendor/smarty/smarty/libs/${WRITEFILE}`);
    expect(site.package).toEqual({ name: 'smarty/smarty', dev: false });
    const ignored = await scanPhpModes(tmp.path, { ignore: ['vendor/**'] });
    expect(ignored.sites).toEqual([]);
    expect(ignored.counts.listed).toBe(1);
  });

  withPackage(WORDPRESS)(title(WORDPRESS, 'wordpress', "finds WordPress's umask(0) before mkdir 0777 in upgrade.php"), async () => {
    const result = await scanPhpModes(join(WORDPRESS, 'wp-admin'));
    const upgrade = result.sites.filter((s) => s.file === 'includes/upgrade.php').map((s) => `${s.call} ${oct(s.mode)} ${s.effect.kind}`);
    expect(upgrade).toContain('umask 0000 umask');
    expect(upgrade).toContain('mkdir 0777 create-forced');
    // wp_mkdir_p and _wp_handle_upload compute their modes from the parent: nothing hard-coded.
    expect(result.sites.filter((s) => s.file === 'includes/file.php')).toEqual([]);
    // The FTP client's chmod() and mkdir() send SITE CHMOD and MKD to a server: nothing set on this host.
    expect(result.sites.filter((s) => s.file === 'includes/class-ftp.php')).toEqual([]);
  });
});

describe('the scan on trees it has to be careful with', () => {
  it('a root that is not a directory is a usage error', async () => {
    write('file.php', '<?php');
    await expect(scanPhpModes(join(tmp.path, 'file.php'))).rejects.toThrow(/file\.php: not a directory to scan for PHP code/);
    await expect(scanPhpModes(join(tmp.path, 'missing'))).rejects.toThrow(UsageError);
  });

  it('finds nothing where every mode is computed from the umask', async () => {
    write(
      'app/Cache.php',
      '<?php\nclass Cache {\n  function put($f, $c) {\n    file_put_contents($f, $c);\n    chmod($f, 0666 & ~umask());\n    @mkdir(dirname($f), 0777 & ~umask(), true);\n  }\n}\n',
    );
    write('app/Plain.php', '<?php\necho "no modes here";\n');
    const result = await scanPhpModes(tmp.path);
    expect(result.sites).toEqual([]);
    expect(result.counts).toMatchObject({ listed: 2, read: 2, parsed: 1 });
  });

  it('syntax errors, huge files, non-UTF-8 sources and things that are not files are notes; the scan goes on', async () => {
    write('a-broken.php', '<?php\nfunction broken( {\n  chmod($f, 0600);\n');
    write('b-huge.php', `<?php\n// chmod\n${'x'.repeat(5 * 1024 * 1024)}\n`);
    write('c-latin1.php', Buffer.concat([Buffer.from('<?php\n// caf'), Buffer.from([0xe9]), Buffer.from('\nchmod($f, 0640);\n')]));
    mkdirSync(join(tmp.path, 'd-dir.php'));
    execFileSync('mkfifo', [join(tmp.path, 'e-fifo.php')]);
    symlinkSync('/etc/passwd', join(tmp.path, 'f-link.php'));
    write('g-good.php', '<?php\nfunction ok($f) { chmod($f, 0644); }\n');
    const result: ScanResult = await scanPhpModes(tmp.path);
    expect(result.notes.map((n) => `${n.file} ${n.reason}`)).toEqual([
      'a-broken.php syntax-error',
      'b-huge.php too-large',
      'c-latin1.php not-utf8',
    ]);
    expect(result.sites.map((s) => `${s.file}:${s.line} ${oct(s.mode)}`)).toEqual([
      'a-broken.php:3 0600',
      'c-latin1.php:3 0640',
      'g-good.php:2 0644',
    ]);
    // fast-glob lists only regular files: not the directory, the FIFO or the symlink.
    expect(result.counts.listed).toBe(4);
  });

  it('a FIFO or a symlink put where a file was listed is not followed, not waited on, not read', () => {
    const fifo = join(tmp.path, 'fifo.php');
    execFileSync('mkfifo', [fifo]);
    symlinkSync('/etc/passwd', join(tmp.path, 'link.php'));
    const buffer = Buffer.alloc(1024);
    expect(readSource(fifo, 'fifo.php', buffer, 1024)).toEqual({
      note: { file: 'fifo.php', reason: 'not-regular', message: 'not a regular file: not read' },
    });
    expect(readSource(join(tmp.path, 'link.php'), 'link.php', buffer, 1024)).toMatchObject({
      note: { reason: 'not-regular', code: 'ELOOP' },
    });
  });
});
