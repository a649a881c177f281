import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliJson } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { isRoot } from '../helpers/users.js';

const WORDPRESS = '/usr/share/wordpress';
const why = !isRoot ? ' (skipped: needs root)' : !existsSync(WORDPRESS) ? ' (skipped: install the Debian package wordpress)' : '';
const FLAGS = ['--preset', 'wordpress', '--web-user', 'www-data', '--cli-user', 'root', '--no-discover', '--ignore-ancestors'];

/**
 * Debian's WordPress package: a real tree of about 2,800 entries with 24 symlinks into /etc and
 * /var/lib. After the common wrong recipes (chown -R www-data, chmod -R 777) the report must stay
 * readable: symlinks, which no rule judges, must not break what their siblings share, and a tree
 * where everything is world-writable gets a handful of commands, not one per file.
 */
describe.skipIf(why !== '')(`reports on Debian's WordPress tree${why}`, () => {
  let tmp: ReturnType<typeof makeTempDir>;
  const copy = (name: string) => {
    const root = join(tmp.path, name);
    execFileSync('cp', ['-a', WORDPRESS, root]);
    return root;
  };
  const withoutLinks = (root: string) => {
    const bare = `${root}-nolinks`;
    execFileSync('cp', ['-a', root, bare]);
    execFileSync('find', [bare, '-type', 'l', '-delete']);
    return bare;
  };
  const lines = (root: string) =>
    runCli(['audit', root, ...FLAGS])
      .stdout.trim()
      .split('\n').length;

  beforeAll(() => {
    tmp = makeTempDir('permcheck-wordpress-');
  });
  afterAll(() => tmp?.cleanup());

  it('after chown -R www-data: within 1.25x of the lines of the same tree without its symlinks', () => {
    const root = copy('chowned');
    expect(Number(execFileSync('sh', ['-c', `find '${root}' -type l | wc -l`], { encoding: 'utf8' }))).toBeGreaterThan(10);
    execFileSync('chown', ['-R', '-h', 'www-data:www-data', root]);
    const withLinks = lines(root);
    const bare = lines(withoutLinks(root));
    expect(withLinks).toBeLessThanOrEqual(Math.ceil(bare * 1.25));
    expect(withLinks).toBeLessThan(60);
  });

  it('after chmod -R 777: a handful of distinct fix commands, text within 1.25x of the tree without symlinks', () => {
    const root = copy('opened');
    execFileSync('chmod', ['-R', '777', root]);
    const { json } = runCliJson<{ findings: { fix?: string; severity: string }[] }>(['audit', root, '--format', 'json', ...FLAGS]);
    expect(json.findings.some((f) => f.severity === 'error')).toBe(true);
    const fixes = new Set(json.findings.flatMap((f) => (f.fix ? [f.fix] : [])));
    expect(fixes.size).toBeGreaterThan(0);
    expect(fixes.size).toBeLessThanOrEqual(5);
    expect(lines(root)).toBeLessThanOrEqual(Math.ceil(lines(withoutLinks(root)) * 1.25));
  });
});
