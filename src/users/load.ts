import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { UserDatabase } from './database.js';
import { getentNameService } from './getent.js';
import { parseGroup, parsePasswd, type ParseResult } from './records.js';

export interface DatabaseFiles {
  /** --passwd FILE: another host's users (audit an artifact against production). */
  passwd?: string;
  /** --group FILE */
  group?: string;
}

const SYSTEM_PASSWD = '/etc/passwd';
const SYSTEM_GROUP = '/etc/group';

/**
 * The user database for this run. With --passwd/--group the files are the whole truth (the
 * name service of this machine says nothing about the production host); without them, the
 * system files come first and getent fills the gaps.
 */
export function loadUserDatabase(files: DatabaseFiles): UserDatabase {
  const custom = files.passwd !== undefined || files.group !== undefined;
  const passwdPath = files.passwd ?? SYSTEM_PASSWD;
  const groupPath = files.group ?? SYSTEM_GROUP;
  const users = readRecords(passwdPath, files.passwd !== undefined ? '--passwd' : undefined, parsePasswd);
  const groups = readRecords(groupPath, files.group !== undefined ? '--group' : undefined, parseGroup);
  return new UserDatabase(
    users,
    groups,
    `${passwdPath} and ${groupPath}${custom ? '' : ' (and getent)'}`,
    custom ? undefined : getentNameService,
  );
}

function readRecords<T>(path: string, flag: string | undefined, parse: (text: string) => ParseResult<T>): T[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Without the system files (a minimal container), the name service alone still answers.
    if (!flag && code === 'ENOENT') return [];
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'is not readable'
            : (error as Error).message;
    throw new UsageError(`${flag ? `${flag} ` : ''}${path} ${why}`);
  }
  const parsed = parse(text);
  if (!parsed.ok) throw new UsageError(`${flag ? `${flag} ` : ''}${path}:${parsed.line}: ${parsed.reason}`);
  return parsed.records;
}
