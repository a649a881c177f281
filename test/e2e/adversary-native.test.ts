import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { isRoot } from '../helpers/users.js';

/**
 * The walk through libc (src/walk/native.ts) against the walk through /proc/self/fd/N/NAME
 * (PERMCHECK_NATIVE=0): whatever the tree, both must report the same thing.
 */
const users = ['--web-user', 'www-data', '--cli-user', 'root', '--no-discover', '--fail-on', 'never'];

interface Report {
  findings: { rule: string; path: string; code?: string; message: string }[];
  summary: Record<string, number>;
}

function audit(dir: string, native: boolean, extra: string[] = []): { code: number | null; report: Report } {
  const result = runCli(['audit', dir, '--format', 'json', ...users, ...extra], { env: native ? {} : { PERMCHECK_NATIVE: '0' } });
  const report = JSON.parse(result.stdout) as Report;
  delete report.summary.elapsedMs;
  return { code: result.code, report };
}

const mount = (...args: string[]) => spawnSync('mount', args, { stdio: 'ignore' }).status === 0;
const umount = (path: string) => spawnSync('umount', [path], { stdio: 'ignore' });

describe.skipIf(!isRoot)('an automount point in the tree (needs root to mount debugfs)', () => {
  const tmp = makeTempDir('permcheck-adv-native-');
  const app = join(tmp.path, 'app');
  const debugfs = join(app, 'debug');
  let mounted = false;

  beforeAll(() => {
    mkdirSync(debugfs, { recursive: true });
    writeFileSync(join(app, 'index.php'), '<?php\n');
    // debugfs's "tracing" is an automount point: tracefs is mounted there when a lookup crosses it,
    // as autofs mounts an NFS share under /var/www/shared. A fresh debugfs has it not yet mounted.
    mounted = mount('-t', 'debugfs', 'none', debugfs);
  });
  afterAll(() => {
    if (mounted) {
      umount(join(debugfs, 'tracing'));
      umount(debugfs);
    }
    tmp.cleanup();
  });

  // Failed while statx was called with AT_NO_AUTOMOUNT: lstat saw the unmounted point, openat then
  // mounted tracefs and opened its root, a different device and inode, and the walk called that a
  // race ("replaced by another directory", exit 3) where the /proc way (Node's lstat is a statx
  // without that flag) mounts it first and audits it like the web server will see it.
  it('is audited as the /proc way audits it, not reported as a race (regression)', (context) => {
    if (!mounted || !readdirSync(debugfs).includes('tracing')) {
      console.warn('skipped: debugfs could not be mounted here, or has no tracing automount (CONFIG_TRACING)');
      context.skip();
    }
    const only = ['--only', 'debug/tracing/*'];
    const native = audit(app, true, only);
    umount(join(debugfs, 'tracing'));
    const proc = audit(app, false, only);
    expect(native.report.findings.filter((f) => f.code === 'ERACE')).toEqual([]);
    expect(native.code).toBe(0);
    expect(native.report.summary.entries).toBeGreaterThan(3);
    expect(native.report).toEqual(proc.report);
  });
});
