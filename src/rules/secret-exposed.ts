import { describeInode, grantReason } from '../access/describe.js';
import { permText } from '../acl/format.js';
import { READ } from '../mode/bits.js';
import type { SecretContent } from '../secret/content.js';
import { wordList } from '../text/word-list.js';
import type { AuditSettings, Candidate, EntryFacts } from './contract.js';
import { candidate, severityOf, type Rule } from './rule.js';

/** Someone an ACL entry lets read the secret who is not a role that may: a user or a group, by id. */
export interface AclExposure {
  kind: 'acl-user' | 'acl-group';
  id: number;
  /** The entry's permissions after the mask. */
  perm: number;
}

/** What a secret-exposed candidate says beyond who reads it. */
export interface Exposure {
  /** An exposure by an ACL entry (by the mode it has none); absent: by a subject's own access. */
  exposure?: AclExposure | undefined;
  /** Why the file counts as a secret (its content, or why that was not read); absent: its path alone. */
  content?: SecretContent | undefined;
}

export interface ExposurePayload extends Exposure {
  rule: 'secret-exposed';
}

/**
 * Key parts: read by a subject's own access, or by a named ACL user or group (said apart, never
 * folded), or the note that a file marked secret holds none.
 */
const BY_ACCESS = 0;
const BY_ACL_KIND: Record<AclExposure['kind'], number> = { 'acl-user': 1, 'acl-group': 2 };
const HOLDS_NONE = 3;

export const exposurePayload = {
  encode: (exposure: Exposure): ExposurePayload | undefined =>
    exposure.exposure || exposure.content ? { rule: 'secret-exposed', ...exposure } : undefined,
  decode(c: Candidate): Exposure {
    if (c.extra === undefined) return {};
    if (c.extra.rule !== 'secret-exposed') throw new Error(`a secret-exposed candidate for ${c.rel} carries a ${c.extra.rule} payload`);
    return { exposure: c.extra.exposure, content: c.extra.content };
  },
};

/**
 * A file the policy marks secret whose content holds no credential, readable by others by its mode:
 * where a secret-exposed error would have been, an info that says why there is none, and where the
 * secrets are instead (what it includes).
 */
export function noSecretCandidate(entry: EntryFacts, settings: AuditSettings, includes: readonly string[]): Candidate | undefined {
  const severity = severityOf(secretExposed, settings, 'info');
  if (!severity || !(entry.inode.mode & 0o004)) return undefined;
  const content: SecretContent = { kind: 'none', includes: [...includes] };
  return candidate('secret-exposed', severity, entry, settings.subjects.length - 1, 0, exposurePayload.encode({ content }), HOLDS_NONE);
}

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
    const extra = exposurePayload.encode({ content: entry.secretContent });
    // Judged by the file's own bits: a parent directory that keeps others out today is one chmod,
    // one backup or one tar archive away from not doing so.
    if (entry.inode.mode & 0o004) out.push(candidate('secret-exposed', severity, entry, others, 0, extra, BY_ACCESS));
    for (let i = 0; i < others; i++) {
      if (entry.policy.levels[i] === 'none' && entry.reachable[i] && entry.granted[i]! & READ) {
        out.push(candidate('secret-exposed', severity, entry, i, 0, extra, BY_ACCESS));
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
        out.push(
          aclExposure(entry, severity, others, { kind: 'acl-user', id: named.id, perm: named.perm & acl.mask }, entry.secretContent),
        );
    }
    for (const named of acl.groups) {
      if (named.perm & acl.mask & READ && !readerGroup(named.id))
        out.push(
          aclExposure(entry, severity, others, { kind: 'acl-group', id: named.id, perm: named.perm & acl.mask }, entry.secretContent),
        );
    }
  },
  describe(c, { settings, names }) {
    const subject = settings.subjects[c.subject]!;
    const { exposure, content } = exposurePayload.decode(c);
    if (content?.kind === 'none') {
      const where = content.includes.length > 0 ? `, so they come from what it includes: ${wordList(content.includes, 4)}` : '';
      return {
        message: `${c.rel} (${describeInode(c.inode, names)}) is readable by others but holds no secret: it sets no credential${where}`,
        extra: { includes: content.includes },
      };
    }
    const what = `secret ${c.rel} (${describeInode(c.inode, names)})`;
    const counts = `; ${secretBecause(content)}`;
    if (exposure) {
      const entry = exposure.kind === 'acl-user' ? `user:${names.user(exposure.id)}` : `group:${names.group(exposure.id)}`;
      const who = exposure.kind === 'acl-user' ? names.user(exposure.id) : `every member of group ${names.group(exposure.id)}`;
      return {
        message: `${what} is readable by ${who}, which no role is: its ACL entry ${entry}:${permText(exposure.perm)} grants it${counts}`,
      };
    }
    if (!subject.role) return { message: `${what} is readable by others by its own mode${counts}` };
    const why = grantReason(subject.name, c.inode, subject.principal, READ, names);
    return { message: `${what} is readable by ${subject.name}, whose access there is none: ${why}${counts}` };
  },
};

/** Why a file counts as a secret, in words: the credentials it sets (names, never values), else its path. */
export function secretBecause(content: SecretContent | undefined): string {
  if (content?.kind === 'credentials') return `a secret because it sets ${wordList(content.keys, 2)}`;
  const path = 'a secret by its path (the policy marks it secret)';
  return content?.kind === 'unknown' ? `${path}; its content did not decide: ${content.why}` : path;
}

function readsHere(level: string | undefined): boolean {
  return level === 'read' || level === 'write';
}

function aclExposure(
  entry: Parameters<NonNullable<Rule['check']>>[0],
  severity: NonNullable<ReturnType<typeof severityOf>>,
  others: number,
  exposure: AclExposure,
  content: SecretContent | undefined,
) {
  // Not folded together with "others can read it by its mode": a different finding, said apart.
  return candidate('secret-exposed', severity, entry, others, 0, exposurePayload.encode({ exposure, content }), BY_ACL_KIND[exposure.kind]);
}
