import { describe, expect, it } from 'vitest';
import { trustedCrontabUsers } from '../../../src/discover/cron-trust.js';
import { UserDatabase } from '../../../src/users/database.js';

const db = new UserDatabase(
  [
    { name: 'root', uid: 0, gid: 0 },
    { name: 'deploy', uid: 1001, gid: 1001 },
    { name: 'www-data', uid: 33, gid: 33 },
    { name: 'mallory', uid: 1666, gid: 1666 },
  ],
  [],
  'fixture files',
);

describe('trustedCrontabUsers', () => {
  it('names the trusted uids and the users that flags or the config name, as names or uids', () => {
    const users = trustedCrontabUsers(db, { uids: [0, 1001, 1001], users: [undefined, 'www-data', '33', 4242, 'nobody-here'] });
    expect([...users].sort()).toEqual(['deploy', 'nobody-here', 'root', 'www-data']);
  });

  it('always names root, and no one else by default', () => {
    expect([...trustedCrontabUsers(db, { uids: [], users: [] })]).toEqual(['root']);
  });
});
