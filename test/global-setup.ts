import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The built CLI in a directory every user can read: tests run it as non-root users. */
    publicBin: string;
  }
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The checkout may live where other users cannot enter (/root, a 0700 CI workspace), so the built
 * CLI and its production dependencies are copied once into a world-readable temp directory.
 */
export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'permcheck-public-'));
  for (const part of ['dist', 'bin', 'package.json']) cpSync(join(ROOT, part), join(dir, part), { recursive: true });
  const listed = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  for (const path of listed.trim().split('\n').slice(1)) cpSync(path, join(dir, relative(ROOT, path)), { recursive: true });
  execFileSync('chmod', ['-R', 'a+rX', dir]);
  chmodSync(dir, 0o755);
  project.provide('publicBin', join(dir, 'bin', 'permcheck.js'));
  return () => rmSync(dir, { recursive: true, force: true });
}
