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

/**
 * The colon-separated lines of a passwd-style file: blank lines, # comments and NIS compat lines
 * (+, -) carry no record. `build` returns a record or why the line is wrong.
 */
function parseFields<T>(text: string, fieldCount: number, build: (fields: string[]) => T | string): ParseResult<T> {
  const records: T[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue;
    const fields = line.split(':');
    if (fields.length !== fieldCount)
      return { ok: false, line: i + 1, reason: `expected ${fieldCount} colon-separated fields, found ${fields.length}` };
    const record = build(fields);
    if (typeof record === 'string') return { ok: false, line: i + 1, reason: record };
    records.push(record);
  }
  return { ok: true, records };
}

/** /etc/passwd: name:password:uid:gid:gecos:home:shell */
export function parsePasswd(text: string): ParseResult<UserRecord> {
  return parseFields(text, 7, ([name, , uid, gid]) => {
    if (name === '') return 'the user name is empty';
    if (!ID.test(uid!)) return `uid '${uid}' is not a number`;
    if (!ID.test(gid!)) return `gid '${gid}' is not a number`;
    return { name: name!, uid: Number(uid), gid: Number(gid) };
  });
}

/** /etc/group: name:password:gid:member,member */
export function parseGroup(text: string): ParseResult<GroupRecord> {
  return parseFields(text, 4, ([name, , gid, members]) => {
    if (name === '') return 'the group name is empty';
    if (!ID.test(gid!)) return `gid '${gid}' is not a number`;
    return {
      name: name!,
      gid: Number(gid),
      members: members!
        .split(',')
        .map((m) => m.trim())
        .filter(Boolean),
    };
  });
}
