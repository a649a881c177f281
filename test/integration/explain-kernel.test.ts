import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliJson } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

const UMASKS = ['000', '002', '007', '022', '027', '077', '044', '137', '277', '777', '0o033', 'u=rwx,g=rx,o='];

/** Modes the kernel gives, read back with stat(1): no part of permcheck is involved. */
function kernelModes(umask: string, dir: string): Record<string, string> {
  const shellUmask = umask.startsWith('0o') ? umask.slice(2) : umask;
  const script = [
    `umask ${shellUmask}`,
    'touch file',
    'mkdir directory',
    // The custom requests, as PHP would make them: mkdir($d, 0775), mkdir($d, 02775), fopen + mode 0664.
    `node -e "const fs=require('fs');fs.mkdirSync('d0775',0o775);fs.mkdirSync('d2775',0o2775);fs.closeSync(fs.openSync('f0664','w',0o664))"`,
    'stat -c "%n %a" file directory d0775 d2775 f0664',
  ].join(' && ');
  const out = execFileSync('sh', ['-c', script], { cwd: dir, encoding: 'utf8' });
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .map(([name, mode]) => [name, mode!.padStart(4, '0')]),
  );
}

describe('explain agrees with what the kernel creates', () => {
  it.each(UMASKS)('umask %s', (umask) => {
    const dir = join(tmp.path, umask.replace(/[^0-9a-z]/gi, '_'));
    mkdirSync(dir);
    const kernel = kernelModes(umask, dir);
    const { result, json } = runCliJson(['explain', umask, '--json', '--mode', 'dir:0775', '--mode', 'dir:02775', '--mode', 'file:0664']);
    expect(result.code).toBe(0);
    expect(json.file.mode).toBe(kernel.file);
    expect(json.directory.mode).toBe(kernel.directory);
    expect(json.custom.map((row: { mode: string }) => row.mode)).toEqual([kernel.d0775, kernel.d2775, kernel.f0664]);
  });
});
