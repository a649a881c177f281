import { spawnSync } from 'node:child_process';
import type { NameService } from './database.js';
import { parseGroup, parsePasswd, type GroupRecord, type UserRecord } from './records.js';

function run(command: string, args: string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 5000 });
  return result.status === 0 ? result.stdout : undefined;
}

/**
 * The system's name service through getent(1) and id(1): users and groups that live in LDAP or
 * sssd rather than in /etc/passwd. Only used for the machine's own databases, never with --passwd.
 */
export const getentNameService: NameService = {
  user(nameOrUid: string): UserRecord | undefined {
    const out = run('getent', ['passwd', nameOrUid]);
    const parsed = out === undefined ? undefined : parsePasswd(out);
    return parsed?.ok ? parsed.records[0] : undefined;
  },
  group(nameOrGid: string): GroupRecord | undefined {
    const out = run('getent', ['group', nameOrGid]);
    const parsed = out === undefined ? undefined : parseGroup(out);
    return parsed?.ok ? parsed.records[0] : undefined;
  },
  groupsOf(user: string): number[] | undefined {
    const out = run('id', ['-G', '--', user]);
    return out?.trim().split(/\s+/).filter(Boolean).map(Number);
  },
};
