import { execFileSync } from 'node:child_process';
import { closeSync, lstatSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSecretContent } from '../../src/secret/read.js';
import { DIRECTORY_FLAGS } from '../../src/walk/fd.js';
import { Walker } from '../../src/walk/walker.js';
import { makeTempDir } from '../helpers/tmp.js';

/** The reader behind secret detection: only the regular file the walk saw, through its open directory. */
describe('reading a secret-marked file through the walk', () => {
  const tmp = makeTempDir('permcheck-secret-read-');
  afterAll(() => tmp.cleanup());
  const dirFd = openSync(tmp.path, DIRECTORY_FLAGS);
  afterAll(() => closeSync(dirFd));
  const seen = (name: string) => Walker.entryOf({ path: join(tmp.path, name), rel: name }, lstatSync(join(tmp.path, name)));

  it('reads what the walk saw and judges it', () => {
    writeFileSync(join(tmp.path, 'wp-config.php'), "<?php define('DB_PASSWORD', 'x');");
    expect(readSecretContent(seen('wp-config.php'), dirFd, 'wp-config.php')).toEqual({ kind: 'credentials', keys: ['DB_PASSWORD'] });
  });

  it('a file swapped after the walk saw it is not read', () => {
    writeFileSync(join(tmp.path, '.env'), 'APP_ENV=prod\n');
    const before = seen('.env');
    writeFileSync(join(tmp.path, 'planted'), 'DB_PASSWORD=x\n');
    renameSync(join(tmp.path, 'planted'), join(tmp.path, '.env'));
    expect(readSecretContent(before, dirFd, '.env')).toEqual({ kind: 'unknown', why: 'replaced since the walk saw it: not read' });
  });

  it('a FIFO put in its place does not block; a symlink is not followed; a big file is not read', () => {
    writeFileSync(join(tmp.path, 'env.php'), '<?php');
    const before = seen('env.php');
    execFileSync('rm', [join(tmp.path, 'env.php')]);
    execFileSync('mkfifo', [join(tmp.path, 'env.php')]);
    expect(readSecretContent(before, dirFd, 'env.php')).toEqual({ kind: 'unknown', why: 'it is no longer a regular file' });
    execFileSync('ln', ['-s', '/etc/passwd', join(tmp.path, 'settings.php')]);
    expect(readSecretContent(before, dirFd, 'settings.php')).toEqual({ kind: 'unknown', why: 'a symbolic link now: not followed' });
    writeFileSync(join(tmp.path, 'big.php'), `<?php\n${'//'.padEnd(70 * 1024, '.')}`);
    expect(readSecretContent(seen('big.php'), dirFd, 'big.php')).toEqual({ kind: 'unknown', why: 'larger than 64 KiB' });
  });
});
