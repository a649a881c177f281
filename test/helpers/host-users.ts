import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Real accounts in /etc/passwd and /etc/group, for tests whose printed fixes run through bash:
 * chown and setfacl on this host resolve the names permcheck prints. Names carry a per-run suffix;
 * remove() deletes every account and group made.
 */
export interface HostUser {
  name: string;
  uid: number;
  gid: number;
}

export const canMakeUsers = process.getuid?.() === 0 && existsSync('/usr/sbin/useradd') && existsSync('/usr/sbin/groupadd');

export class HostUsers {
  private readonly users: string[] = [];
  private readonly groups: string[] = [];
  readonly suffix = `${process.pid % 10000}`;

  group(name: string): { name: string; gid: number } {
    const full = `${name}${this.suffix}`;
    execFileSync('groupadd', [full]);
    this.groups.push(full);
    return { name: full, gid: Number(execFileSync('getent', ['group', full], { encoding: 'utf8' }).split(':')[2]) };
  }

  user(name: string, groups: readonly string[] = []): HostUser {
    const full = `${name}${this.suffix}`;
    const args = ['--system', '--no-create-home', '--user-group', '--shell', '/usr/sbin/nologin'];
    if (groups.length > 0) args.push('--groups', groups.join(','));
    execFileSync('useradd', [...args, full]);
    this.users.push(full);
    const [, , uid, gid] = execFileSync('getent', ['passwd', full], { encoding: 'utf8' }).split(':');
    return { name: full, uid: Number(uid), gid: Number(gid) };
  }

  remove(): void {
    for (const user of this.users.splice(0)) spawnSync('userdel', [user]);
    for (const group of this.groups.splice(0)) spawnSync('groupdel', [group]);
  }
}

/** Run a command as a real user with exactly its groups from /etc/group, as a login would have them. */
export function runAsHost(user: HostUser, command: string, args: string[], input?: string): string {
  return execFileSync(
    'setpriv',
    [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', '--inh-caps=-all', '--', command, ...args],
    { encoding: 'utf8', maxBuffer: 1 << 26, ...(input !== undefined ? { input } : {}) },
  );
}
