import { describeInode, grantReason } from '../access/describe.js';
import { permText } from '../acl/format.js';
import { READ } from '../mode/bits.js';
import { candidate, candidateKey, severityOf, type Rule } from './rule.js';

/** Who reads the secret: a subject by its mode or ACL, or someone an ACL entry names (not a role). */
export type ExposureDetail = { kind: 'mode' } | { kind: 'acl-user' | 'acl-group'; id: number; perm: number };

export const secretExposed: Rule = {
  id: 'secret-exposed',
  title: 'A secret is readable by others, or by a role that must not read it',
  defaultSeverity: 'error',
  summary: 'database passwords and keys in .env, app/etc/env.php or wp-config.php can be read by other local users',
  scope: 'entry',
  aggregate: true,
  check(entry, settings, out) {
    if (!entry.policy.secret || entry.isDir || entry.inode.type === 'symlink') return;
    const severity = severityOf(this, settings);
    if (!severity) return;
    const others = settings.subjects.length - 1;
    // Judged by the file's own bits: a parent directory that keeps others out today is one chmod,
    // one backup or one tar archive away from not doing so.
    if (entry.inode.mode & 0o004) out.push(candidate('secret-exposed', severity, entry, others, 0));
    for (let i = 0; i < others; i++) {
      if (entry.policy.levels[i] === 'none' && entry.reachable[i] && entry.granted[i]! & READ) {
        out.push(candidate('secret-exposed', severity, entry, i, 0));
      }
    }
    // An ACL entry that lets a user or group read it, for someone who is not a role that may: an
    // exposure, named as such (Linux ignores the entries when the mask is ---).
    const acl = entry.inode.acl;
    if (!acl || (entry.inode.mode & 0o070) === 0) return;
    const reader = (uid: number) => settings.subjects.some((s, i) => s.role?.uid === uid && readsHere(entry.policy.levels[i]));
    const readerGroup = (gid: number) => settings.subjects.some((s, i) => s.role?.gids.includes(gid) && readsHere(entry.policy.levels[i]));
    for (const named of acl.users) {
      if (named.perm & acl.mask & READ && !reader(named.id))
        out.push(aclExposure(entry, severity, others, { kind: 'acl-user', id: named.id, perm: named.perm & acl.mask }));
    }
    for (const named of acl.groups) {
      if (named.perm & acl.mask & READ && !readerGroup(named.id))
        out.push(aclExposure(entry, severity, others, { kind: 'acl-group', id: named.id, perm: named.perm & acl.mask }));
    }
  },
  describe(c, { settings, names }) {
    const subject = settings.subjects[c.subject]!;
    const what = `secret ${c.rel} (${describeInode(c.inode, names)})`;
    const exposure = c.extra as ExposureDetail | undefined;
    if (exposure && exposure.kind !== 'mode') {
      const entry = exposure.kind === 'acl-user' ? `user:${names.user(exposure.id)}` : `group:${names.group(exposure.id)}`;
      const who = exposure.kind === 'acl-user' ? names.user(exposure.id) : `every member of group ${names.group(exposure.id)}`;
      return { message: `${what} is readable by ${who}, which no role is: its ACL entry ${entry}:${permText(exposure.perm)} grants it` };
    }
    if (!subject.role) return { message: `${what} is readable by others by its own mode` };
    const why = grantReason(subject.name, c.inode, subject.principal, READ, names);
    return { message: `${what} is readable by ${subject.name}, whose access there is none: ${why}` };
  },
};

function readsHere(level: string | undefined): boolean {
  return level === 'read' || level === 'write';
}

function aclExposure(
  entry: Parameters<NonNullable<Rule['check']>>[0],
  severity: NonNullable<ReturnType<typeof severityOf>>,
  others: number,
  detail: ExposureDetail,
) {
  const made = candidate('secret-exposed', severity, entry, others, 0, detail);
  // Not folded together with "others can read it by its mode": a different finding, said apart.
  made.key = candidateKey('secret-exposed', severity, others, 1);
  return made;
}
