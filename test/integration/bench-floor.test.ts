import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliJson } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';

const TREE_WALK = fileURLToPath(new URL('../bench/tree-walk.mjs', import.meta.url));

// The bench's floor rows (PERMCHECK_BENCH_ONLY=floor) compare with find only if they walk what the
// audit walks: the same entries, split over the threads without one lost or counted twice.
describe('the bench walks under the audit', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let root: string;

  // Files at every depth, subtrees two levels down for the threads (more than there are threads), a
  // symlink to a directory (an entry, never followed), an empty directory.
  beforeAll(() => {
    tmp = makeTempDir('permcheck-floor-');
    root = join(tmp.path, 'tree');
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) {
        const dir = join(root, `a${a}`, `b${b}`, 'c', 'd');
        mkdirSync(dir, { recursive: true });
        for (let f = 0; f < 4; f++) writeFileSync(join(dir, `f${f}.php`), '<?php\n');
        writeFileSync(join(root, `a${a}`, `b${b}`, 'index.php'), '');
      }
      writeFileSync(join(root, `a${a}`, 'composer.json'), '{}');
      writeFileSync(join(root, `top${a}.php`), '');
    }
    mkdirSync(join(root, 'empty'));
    symlinkSync(join(root, 'a0'), join(root, 'a1', 'link'));
  });
  afterAll(() => tmp.cleanup());

  it.each(['walker', 'least'])('%s counts the entries the audit counts', (mode) => {
    const audited = runCliJson<{ summary: { entries: number } }>(['audit', root, '--format', 'json', '--preset', 'generic']).json;
    // The root, three files, an empty directory; in each aN: itself, composer.json, and three bN
    // (itself, index.php, c, d, four files); a1's symlink.
    expect(audited.summary.entries).toBe(1 + 3 + 1 + 3 * (2 + 3 * 8) + 1);
    const walked = spawnSync(process.execPath, [TREE_WALK, mode, root], { encoding: 'utf8' });
    expect(walked.stderr).toBe('');
    expect(walked.status).toBe(0);
    expect(Number(walked.stdout)).toBe(audited.summary.entries);
  });

  it('refuses a mode it does not know', () => {
    const walked = spawnSync(process.execPath, [TREE_WALK, 'fast', root], { encoding: 'utf8' });
    expect(walked.status).not.toBe(0);
    expect(walked.stderr).toContain('usage: tree-walk.mjs walker|least ROOT');
  });
});
