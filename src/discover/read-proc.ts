import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { ProcessFacts } from './facts.js';
import { parseCmdline, parseProcStatus } from './proc.js';
import { unitOfCgroup } from './systemd-unit.js';

/**
 * Every process in `proc` (/proc, or a fixture with the same layout): credentials, umask and
 * command line. Processes that end while being read are skipped; kernel threads have no
 * command line and are left out, and so are processes in containers (a nested PID namespace):
 * their config paths name files of another file system.
 */
export function readProcesses(proc: string): ProcessFacts[] {
  let names: string[];
  try {
    names = readdirSync(proc);
  } catch {
    return [];
  }
  const self = readText(`${proc}/self/status`);
  const ownDepth = (self !== undefined && parseProcStatus(self)?.nsDepth) || Infinity;
  const processes: ProcessFacts[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const status = readText(`${proc}/${name}/status`);
    const cmdline = readText(`${proc}/${name}/cmdline`);
    if (status === undefined || cmdline === undefined) continue;
    const parsed = parseProcStatus(status);
    const argv = parseCmdline(cmdline);
    if (!parsed || (argv.length === 0 && parsed.state !== 'Z') || parsed.nsDepth > ownDepth) continue;
    processes.push({ ...parsed, argv });
  }
  return processes.sort((a, b) => a.pid - b.pid);
}

/** The systemd service a process runs in, if any. */
export function readUnit(proc: string, pid: number): string | undefined {
  const text = readText(`${proc}/${pid}/cgroup`);
  return text === undefined ? undefined : unitOfCgroup(text);
}

/** A process's environment; undefined when this user may not read it (another user's, as non-root). */
export function readEnviron(proc: string, pid: number): Record<string, string> | undefined {
  const text = readText(`${proc}/${pid}/environ`);
  if (text === undefined) return undefined;
  const env: Record<string, string> = {};
  for (const pair of text.split('\0')) {
    const equals = pair.indexOf('=');
    if (equals > 0) env[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return env;
}

export function readCwd(proc: string, pid: number): string | undefined {
  try {
    return readlinkSync(`${proc}/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
