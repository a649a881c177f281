import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/tmp.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const tmp = makeTempDir('permcheck-pack-');
afterAll(() => tmp.cleanup());

function npm(args: string[], cwd: string): string {
  // --prefer-offline: the dependencies are already in the npm cache after `npm ci`. --ignore-scripts:
  // `npm test` has just built dist/, so packing does not run `prepare` (a second tsc) again.
  return execFileSync('npm', [...args, '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
}

describe('the packed tarball', () => {
  it('installs globally into an empty prefix and runs', () => {
    expect(existsSync(join(ROOT, 'dist', 'cli.js')), 'dist/ is built by npm test before the tests run').toBe(true);
    npm(['pack', '--pack-destination', tmp.path], ROOT);
    const tarball = readdirSync(tmp.path).find((name) => /^permcheck-.*\.tgz$/.test(name));
    expect(tarball).toBeDefined();
    const prefix = join(tmp.path, 'prefix');
    npm(['install', '-g', '--prefix', prefix, join(tmp.path, tarball!)], tmp.path);
    const bin = join(prefix, 'bin', 'permcheck');
    const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    const explained = JSON.parse(execFileSync(bin, ['explain', '027', '--json'], { encoding: 'utf8' }));
    expect(explained.file.mode).toBe('0640');
  }, 180_000);

  it('ships only what runs', () => {
    const listing = JSON.parse(npm(['pack', '--dry-run', '--json'], ROOT)) as [{ files: { path: string }[] }];
    const tops = new Set(listing[0].files.map((file) => file.path.split('/')[0]));
    for (const top of tops) expect(['bin', 'dist', 'schema', 'docs', 'package.json', 'README.md', 'LICENSE']).toContain(top);
    expect(tops).toContain('dist');
    expect(tops.has('src')).toBe(false);
    expect(tops.has('test')).toBe(false);
  });
});
