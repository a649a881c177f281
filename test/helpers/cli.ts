import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/permcheck.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Run the built CLI as a user would, with colour off unless the test asks for it. A test that passes
 * --jobs above 1 means the threaded walk: its threads start at once (PERMCHECK_THREADS_AFTER=0), not
 * once the tree has a few thousand entries, unless the test sets the variable itself.
 */
export function runCli(args: string[], options: SpawnSyncOptions & { env?: NodeJS.ProcessEnv } = {}): CliResult {
  const jobs = args.indexOf('--jobs');
  const threaded = jobs >= 0 && Number(args[jobs + 1]) > 1 ? { PERMCHECK_THREADS_AFTER: '0' } : {};
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...threaded, ...options.env };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, ...options, env });
  return { code: result.status, signal: result.signal, stdout: String(result.stdout), stderr: String(result.stderr) };
}

export function runCliJson<T = any>(args: string[], options: SpawnSyncOptions = {}): { result: CliResult; json: T } {
  const result = runCli(args, options);
  try {
    return { result, json: JSON.parse(result.stdout) as T };
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}

/** `audit DIR --format json --fail-on never ARGS`: its findings, whatever they are (the exit code is not what is tested). */
export function auditFindings<F>(dir: string, args: string[]): F[] {
  return runCliJson<{ findings: F[] }>(['audit', dir, '--format', 'json', '--fail-on', 'never', ...args]).json.findings;
}
