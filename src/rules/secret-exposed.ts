import { describeInode, grantReason } from '../access/describe.js';
import { permText } from '../acl/format.js';
import { READ } from '../mode/bits.js';
import type { Candidate } from './contract.js';
import { candidate, severityOf, type Rule } from './rule.js';

/** Someone an ACL entry lets read the secret who is not a role that may: a user or a group, by id. */
export interface AclExposure {
  kind: 'acl-user' | 'acl-group';
  id: number;
  /** The entry's permissions after the mask. */
  perm: number;
}

/** A secret-exposed candidate's payload, for an exposure by an ACL entry (by the mode it has none). */
export interface ExposurePayload {
  rule: 'secret-exposed';
  exposure: AclExposure;
}

/** Key parts: read by a subject's own access, or by a named ACL user or group (said apart, never folded). */
const BY_ACCESS = 0;
const BY_ACL_KIND: Record<AclExposure['kind'], number> = { 'acl-user': 1, 'acl-group': 2 };

export const exposurePayload = {
  encode: (exposure: AclExposure): ExposurePayload => ({ rule: 'secret-exposed', exposure }),
  /** The ACL exposure, or undefined for a subject that reads the secret by its access. */
  decode(c: Candidate): AclExposure | undefined {
    if (c.extra === undefined) return undefined;
    if (c.extra.rule !== 'secret-exposed') throw new Error(`a secret-exposed candidate for ${c.rel} carries a ${c.extra.rule} payload`);
    return c.extra.exposure;
  },
};

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
    if (entry.inode.mode & 0o004) out.push(candidate('secret-exposed', severity, entry, others, 0, undefined, BY_ACCESS));
    for (let i = 0; i < others; i++) {
      if (entry.policy.levels[i] === 'none' && entry.reachable[i] && entry.granted[i]! & READ) {
        out.push(candidate('secret-exposed', severity, entry, i, 0, undefined, BY_ACCESS));
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
    const exposure = exposurePayload.decode(c);
    if (exposure) {
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
  exposure: AclExposure,
) {
  // Not folded together with "others can read it by its mode": a different finding, said apart.
  return candidate('secret-exposed', severity, entry, others, 0, exposurePayload.encode(exposure), BY_ACL_KIND[exposure.kind]);
}
