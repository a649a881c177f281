export interface UserRecord {
  name: string;
  uid: number;
  gid: number;
}

export interface GroupRecord {
  name: string;
  gid: number;
  members: string[];
}

export type ParseResult<T> = { ok: true; records: T[] } | { ok: false; line: number; reason: string };

const ID = /^\d+$/;

/** /etc/passwd: name:password:uid:gid:gecos:home:shell. Blank lines and # comments are skipped. */
export function parsePasswd(text: string): ParseResult<UserRecord> {
  const records: UserRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) continue;
    // NIS compat lines (+, -) carry no user of their own.
    if (line.startsWith('+') || line.startsWith('-')) continue;
    const fields = line.split(':');
    if (fields.length !== 7) return { ok: false, line: i + 1, reason: `expected 7 colon-separated fields, found ${fields.length}` };
    const [name, , uid, gid] = fields as [string, string, string, string];
    if (name === '') return { ok: false, line: i + 1, reason: 'the user name is empty' };
    if (!ID.test(uid)) return { ok: false, line: i + 1, reason: `uid '${uid}' is not a number` };
    if (!ID.test(gid)) return { ok: false, line: i + 1, reason: `gid '${gid}' is not a number` };
    records.push({ name, uid: Number(uid), gid: Number(gid) });
  }
  return { ok: true, records };
}

/** /etc/group: name:password:gid:member,member */
export function parseGroup(text: string): ParseResult<GroupRecord> {
  const records: GroupRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) continue;
    if (line.startsWith('+') || line.startsWith('-')) continue;
    const fields = line.split(':');
    if (fields.length !== 4) return { ok: false, line: i + 1, reason: `expected 4 colon-separated fields, found ${fields.length}` };
    const [name, , gid, members] = fields as [string, string, string, string];
    if (name === '') return { ok: false, line: i + 1, reason: 'the group name is empty' };
    if (!ID.test(gid)) return { ok: false, line: i + 1, reason: `gid '${gid}' is not a number` };
    records.push({ name, gid: Number(gid), members: members.split(',').map((m) => m.trim()).filter(Boolean) });
  }
  return { ok: true, records };
}
