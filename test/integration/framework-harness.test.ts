import { chmodSync, chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect } from 'vitest';
import { HARNESS_PACKAGES, phpAvailable, runHarness, type Harness } from '../helpers/php-harness.js';
import { itNeeding } from '../helpers/needs.js';
import { makeTempDir } from '../helpers/tmp.js';
import { DEPLOY, WEB, isRoot } from '../helpers/users.js';

const WWW = 21100;
const UMASKS = [0o002, 0o022, 0o027];

/** Skip with what is missing (php, root, the framework's Debian package), said on stderr. */
function harnessIt(harness: Harness, name: string, fn: () => void): void {
  const need = HARNESS_PACKAGES[harness];
  itNeeding({
    'php (Debian package php8.2-cli)': phpAvailable(),
    'root: it runs PHP as the web user': isRoot,
    [`the Debian package ${need.package}`]: existsSync(need.file),
  })(name, fn);
}

const web = (umask: number) => ({ uid: WEB.uid, gid: WEB.gid, groups: [WWW], umask });
const oct = (mode: number) => mode.toString(8).padStart(4, '0');

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir('permcheck-harness-');
});
afterEach(() => tmp.cleanup());

/** A directory owned by the deploy user in the shared group, setgid, 2775: the shared-group recipe. */
function sharedDir(path: string): string {
  mkdirSync(path, { recursive: true });
  chownSync(path, DEPLOY.uid, WWW);
  chmodSync(path, 0o2775);
  return path;
}

describe('WordPress upload (wp_mkdir_p, then the chmod of _wp_handle_upload)', () => {
  for (const umask of UMASKS) {
    harnessIt('wordpress-upload', `under umask ${oct(umask)}: directories copy the parent's mode, the file its rw bits`, () => {
      const uploads = sharedDir(join(tmp.path, 'uploads'));
      const run = runHarness('wordpress-upload', [uploads, '2026/05', 'shoe.jpg'], web(umask));
      const modes = Object.fromEntries(run.entries.map((e) => [e.path, oct(e.mode)]));
      // wp_mkdir_p chmods to the parent's mode when the umask took bits away; setgid is inherited.
      expect(modes).toEqual({ '2026': '2775', '2026/05': '2775', '2026/05/shoe.jpg': '0664' });
      const owners = Object.fromEntries(run.entries.map((e) => [e.path, [e.uid, e.gid]]));
      // The directories take the setgid group; the upload keeps the group of PHP's temp file,
      // because move_uploaded_file renames it in when the temp dir is on the same file system.
      expect(owners).toEqual({ '2026': [WEB.uid, WWW], '2026/05': [WEB.uid, WWW], '2026/05/shoe.jpg': [WEB.uid, WEB.gid] });
    });
  }
});

describe('Smarty 3 compile', () => {
  for (const umask of UMASKS) {
    harnessIt('smarty-compile', `under umask ${oct(umask)}: compiled files are 0644 and directories 0771, whatever the umask`, () => {
      const work = sharedDir(join(tmp.path, 'smarty'));
      const run = runHarness('smarty-compile', [work], web(umask));
      // Smarty restores the umask it found.
      expect(run.umask).toBe(umask);
      const files = run.entries.filter((e) => e.type === 'file');
      const dirs = run.entries.filter((e) => e.type === 'directory');
      expect(files.length).toBe(1);
      expect(dirs.length).toBeGreaterThan(0);
      expect(files.map((e) => oct(e.mode))).toEqual(['0644']);
      // umask(0) then mkdir 0771; setgid comes from the parent.
      for (const dir of dirs) expect(oct(dir.mode)).toBe('2771');
    });
  }
});

describe('Laravel Filesystem::replace', () => {
  for (const umask of UMASKS) {
    harnessIt(
      'illuminate-replace',
      `under umask ${oct(umask)}: the file is replaced by rename at 0777 - umask, whatever the old mode`,
      () => {
        const cache = sharedDir(join(tmp.path, 'bootstrap-cache'));
        const file = join(cache, 'packages.php');
        writeFileSync(file, '<?php return [];\n');
        chownSync(file, DEPLOY.uid, WWW);
        // Read-only for everyone: replace() does not need to write the file, only the directory.
        chmodSync(file, 0o444);
        const run = runHarness('illuminate-replace', [file], web(umask));
        const entry = run.entries.find((e) => e.path === 'packages.php')!;
        expect(oct(entry.mode)).toBe(oct(0o777 - umask));
        expect(entry.uid).toBe(WEB.uid);
        expect(run.entries.map((e) => e.path)).toEqual(['packages.php']);
      },
    );
  }
});

describe('Symfony Filesystem::dumpFile', () => {
  for (const umask of UMASKS) {
    harnessIt('symfony-dumpfile', `under umask ${oct(umask)}: an existing file keeps its mode, a new one gets 0666 & ~umask`, () => {
      const cache = sharedDir(join(tmp.path, 'var-cache'));
      const old = join(cache, 'old.php');
      writeFileSync(old, 'x');
      chownSync(old, DEPLOY.uid, WWW);
      chmodSync(old, 0o444);
      runHarness('symfony-dumpfile', [old], web(umask));
      const run = runHarness('symfony-dumpfile', [join(cache, 'new.php')], web(umask));
      const modes = Object.fromEntries(run.entries.map((e) => [e.path, oct(e.mode)]));
      expect(modes).toEqual({ 'new.php': oct(0o666 & ~umask), 'old.php': '0444' });
      // Replaced by rename: the web user owns it now, though it could not write the old file.
      expect(run.entries.find((e) => e.path === 'old.php')!.uid).toBe(WEB.uid);
    });
  }
});
