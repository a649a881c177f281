import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from './cli.js';

/**
 * The attacker of issue 10: a real local account (not only a fixture passwd line), because what it
 * attacks asks the host for names: crontab(1), chgrp, setfacl and permcheck's own discovery.
 */
export interface Account {
  name: string;
  uid: number;
  gid: number;
}

/** An account this host already has (www-data, backup: Debian's base-passwd); undefined when missing. */
export function hostAccount(name: string): Account | undefined {
  const id = (flag: string) => spawnSync('id', [flag, name], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { name, uid: Number(uid.stdout), gid: Number(gid.stdout) };
}

/** A throwaway system account, removed with removeAccount (useradd and userdel: Debian package passwd). */
export function createAccount(prefix: string): Account {
  const name = `${prefix}${Math.random().toString(16).slice(2, 6)}`;
  execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name]);
  return hostAccount(name)!;
}

export function removeAccount(account: Account | undefined): void {
  if (!account) return;
  spawnSync('crontab', ['-r', '-u', account.name], { stdio: 'ignore' });
  spawnSync('userdel', [account.name], { stdio: 'ignore' });
}

export function hasCommand(command: string): boolean {
  const result = spawnSync(command, ['--help'], { stdio: 'ignore' });
  return result.error === undefined;
}

const setprivArgs = (account: Account) => [`--reuid=${account.uid}`, `--regid=${account.gid}`, '--clear-groups', '--inh-caps=-all', '--'];

/** Run a command as the account, with only its primary group; returns its exit status and output. */
export function runAs(
  account: Account,
  command: string,
  args: string[],
  input?: string,
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('setpriv', [...setprivArgs(account), command, ...args], { encoding: 'utf8', input });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A shell script as the account. */
export function bashAs(account: Account, script: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return runAs(account, 'bash', ['-c', script, 'bash', ...args]);
}

/** The same, in the background: the attacker that races permcheck. Kill it with stop(). */
export function spawnAs(account: Account, command: string, args: string[]): ChildProcess {
  return spawn('setpriv', [...setprivArgs(account), command, ...args], { stdio: 'ignore', detached: true });
}

/** End a background attacker and everything it started (it leads its own process group). */
export function stop(child: ChildProcess | undefined): void {
  if (!child?.pid) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/**
 * What a fix could change, for every entry below a directory: type, mode, owner, group and the
 * ACL xattrs (getfacl, Debian package acl). Compared before and after pasting fixes.
 */
export function snapshot(dir: string): string[] {
  const lines: string[] = [];
  const visit = (path: string) => {
    const stats = lstatSync(path);
    lines.push(`${path} ${stats.mode.toString(8)} ${stats.uid}:${stats.gid}`);
    if (stats.isDirectory()) for (const name of readdirSync(path).sort()) visit(join(path, name));
  };
  visit(dir);
  if (existsSync('/usr/bin/getfacl')) {
    lines.push(execFileSync('getfacl', ['-R', '-p', '-P', '-s', dir], { encoding: 'utf8' }));
  }
  return lines;
}

/**
 * Paste a fix the way root would: bash, in the audited directory, with this build of permcheck on
 * PATH (a fix may be a `permcheck fix` line). What it printed does not matter here.
 */
export function paste(fix: string, cwd: string, env: NodeJS.ProcessEnv = {}): { status: number | null; stderr: string } {
  const result = spawnSync('bash', ['-c', fix], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env, PATH: `${shimDir()}:${process.env.PATH}` },
  });
  return { status: result.status, stderr: result.stderr };
}

let shim: string | undefined;

/** A directory holding a `permcheck` that runs this build. */
function shimDir(): string {
  if (shim) return shim;
  shim = mkdtempSync(join(tmpdir(), 'permcheck-shim-'));
  writeFileSync(join(shim, 'permcheck'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`, { mode: 0o755 });
  process.once('exit', () => rmSync(shim!, { recursive: true, force: true }));
  return shim;
}
