import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Test users that exist only in fixture passwd/group files, handed to permcheck with --passwd and
 * --group. The kernel needs no account to run a process as a uid: setpriv sets it directly.
 */
export interface TestUser {
  name: string;
  uid: number;
  gid: number;
  /** Every gid, primary first. */
  gids: number[];
}

export const DEPLOY: TestUser = { name: 'deploy', uid: 21001, gid: 21001, gids: [21001, 21100] };
export const WEB: TestUser = { name: 'web', uid: 21002, gid: 21002, gids: [21002, 21100] };
export const CRON: TestUser = { name: 'cron', uid: 21003, gid: 21003, gids: [21003, 21200] };
/** Reads what the others write: in the www group, like a monitoring or backup user. */
export const VIEWER: TestUser = { name: 'viewer', uid: 21005, gid: 21005, gids: [21005, 21100] };
/** Belongs to nothing the tests create: the kernel's view of "others". */
export const STRANGER: TestUser = { name: 'stranger', uid: 21004, gid: 21004, gids: [21004] };
export const ROOT_USER: TestUser = { name: 'root', uid: 0, gid: 0, gids: [0] };

export const GROUPS = [
  { name: 'deploy', gid: 21001, members: [] as string[] },
  { name: 'web', gid: 21002, members: [] },
  { name: 'cron', gid: 21003, members: [] },
  { name: 'stranger', gid: 21004, members: [] },
  { name: 'viewer', gid: 21005, members: [] },
  { name: 'www', gid: 21100, members: ['deploy', 'web', 'viewer'] },
  { name: 'jobs', gid: 21200, members: ['cron'] },
];

export function writeUserFiles(dir: string): { passwd: string; group: string } {
  const passwd = join(dir, 'passwd');
  const group = join(dir, 'group');
  const users = [ROOT_USER, DEPLOY, WEB, CRON, STRANGER, VIEWER];
  writeFileSync(passwd, users.map((u) => `${u.name}:x:${u.uid}:${u.gid}::/nonexistent:/usr/sbin/nologin`).join('\n') + '\n');
  writeFileSync(group, ['root:x:0:', ...GROUPS.map((g) => `${g.name}:x:${g.gid}:${g.members.join(',')}`)].join('\n') + '\n');
  return { passwd, group };
}

/** Flags naming the users files and binding the three roles to web, deploy and cron, as most e2e tests run. */
export function roleFlags(files: { passwd: string; group: string }): string[] {
  return ['--passwd', files.passwd, '--group', files.group, '--web-user', 'web', '--cli-user', 'deploy', '--cron-user', 'cron'];
}

export const isRoot = process.getuid?.() === 0;

export function hasSetpriv(): boolean {
  return spawnSync('setpriv', ['--version']).status === 0;
}

/** Run a command as the user, with exactly its groups, as the kernel would see that user. */
export function runAs(user: TestUser, command: string, args: string[], options: { input?: string } = {}): string {
  if (user.uid === 0) return execFileSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...options });
  return execFileSync(
    'setpriv',
    [`--reuid=${user.uid}`, `--regid=${user.gid}`, `--groups=${user.gids.join(',')}`, '--inh-caps=-all', '--', command, ...args],
    { encoding: 'utf8', maxBuffer: 1 << 28, ...options },
  );
}

/** Run the built CLI as another user (the world-readable copy from the global setup). */
export function runCliAs(
  user: TestUser,
  bin: string,
  args: string[],
  options: { cwd?: string } = {},
): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(
    'setpriv',
    [
      `--reuid=${user.uid}`,
      `--regid=${user.gid}`,
      `--groups=${user.gids.join(',')}`,
      '--inh-caps=-all',
      '--',
      process.execPath,
      bin,
      ...args,
    ],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      cwd: options.cwd ?? '/',
      env: { ...process.env, NO_COLOR: '1' },
    },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
