import { describe, expect, it } from 'vitest';
import { UserDatabase, type NameService } from '../../src/users/database.js';
import { parseGroup, parsePasswd } from '../../src/users/records.js';

const PASSWD = `root:x:0:0:root:/root:/bin/bash
# a comment
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin

deploy:x:1001:1001::/home/deploy:/bin/bash
`;
const GROUP = `root:x:0:
www-data:x:33:deploy
deploy:x:1001:
shared:x:2000:deploy,www-data
`;

function db(fallback?: NameService) {
  const users = parsePasswd(PASSWD);
  const groups = parseGroup(GROUP);
  if (!users.ok || !groups.ok) throw new Error('fixture');
  return new UserDatabase(users.records, groups.records, 'passwd and group', fallback);
}

describe('passwd and group files', () => {
  it('parses users and groups, skipping blanks and comments', () => {
    const users = parsePasswd(PASSWD);
    expect(users.ok && users.records.map((u) => u.name)).toEqual(['root', 'www-data', 'deploy']);
    const groups = parseGroup(GROUP);
    expect(groups.ok && groups.records.find((g) => g.name === 'shared')?.members).toEqual(['deploy', 'www-data']);
  });

  it('reports the line of a malformed entry', () => {
    expect(parsePasswd('root:x:0:0:root:/root:/bin/bash\nbroken:x:1\n')).toEqual({
      ok: false,
      line: 2,
      reason: 'expected 7 colon-separated fields, found 3',
    });
    expect(parsePasswd('a:x:abc:0:::\n')).toMatchObject({ ok: false, line: 1, reason: "uid 'abc' is not a number" });
    expect(parseGroup('g:x:1\n')).toMatchObject({ ok: false, line: 1 });
  });
});

describe('UserDatabase', () => {
  it('gives a user its primary group and every group listing it', () => {
    const d = db();
    expect(d.groupsOf(d.userByName('deploy')!)).toEqual([1001, 33, 2000]);
    expect(d.groupsOf(d.userByName('www-data')!)).toEqual([33, 2000]);
  });

  it('names uids and gids, falling back to the number', () => {
    const d = db();
    expect(d.user(33)).toBe('www-data');
    expect(d.user(4242)).toBe('4242');
    expect(d.group(2000)).toBe('shared');
  });

  it('asks the name service for what the files lack, once', () => {
    let asked = 0;
    const d = db({
      user: (key) => (asked++, key === 'ldapuser' ? { name: 'ldapuser', uid: 5000, gid: 5000 } : undefined),
      group: () => undefined,
      groupsOf: () => [5000, 6000],
    });
    const user = d.userByName('ldapuser');
    expect(user?.uid).toBe(5000);
    expect(d.groupsOf(user!)).toEqual([5000, 6000]);
    expect(d.userByName('nobody-here')).toBeUndefined();
    expect(d.userByName('nobody-here')).toBeUndefined();
    expect(asked).toBe(2);
  });
});
