import { describeInode } from '../access/describe.js';
import { READ, WRITE, EXECUTE, formatOctal, PERMISSION_BITS } from '../mode/bits.js';
import { creationMode } from '../mode/creation.js';
import { umaskDecides } from '../predict/model.js';
import type { AuditSettings } from './contract.js';
import { candidate, severityOf, type Rule } from './rule.js';
import { umaskPlace } from './umask-place.js';

/**
 * The mode the entry would have if its owner had created it under the configured umask: 0666 for
 * files (0777 for files with an x bit), 0777 for directories, minus the umask of the role that owns
 * it, or the default umask when no role does.
 */
export function expectedMode(settings: AuditSettings, uid: number, isDir: boolean, mode: number): number {
  const umask = settings.umaskByUid.get(uid) ?? settings.defaultUmask;
  if (isDir) return creationMode('directory', 0o777, umask) & PERMISSION_BITS;
  return creationMode('file', mode & 0o111 ? 0o777 : 0o666, umask) & PERMISSION_BITS;
}

/** What mode-drift found: the mode expected, and which of the extra bits the policy itself needs. */
export interface DriftDetail {
  expected: number;
  /** Extra bits some role's level needs here: the umask is then what to change, not the mode. */
  needed: number;
}

export const driftDetail = {
  encode: (detail: DriftDetail): number => detail.expected | (detail.needed << 9),
  decode: (packed: number): DriftDetail => ({ expected: packed & PERMISSION_BITS, needed: (packed >> 9) & PERMISSION_BITS }),
};

/**
 * The bits of an entry as its own: with an ACL, the mode's group bits are the mask, and the owning
 * group's own entry is what a umask would have made.
 */
function ownBits(entry: { mode: number; acl?: { groupObj: number } | undefined }): number {
  const mode = entry.mode & PERMISSION_BITS;
  return entry.acl ? (mode & 0o707) | (entry.acl.groupObj << 3) : mode;
}

export const modeDrift: Rule = {
  id: 'mode-drift',
  title: 'The mode differs from what the configured umask produces',
  defaultSeverity: 'warning',
  summary: "an entry is more permissive than its owner's umask would make it (warning), or stricter (info): something chmods by hand",
  scope: 'entry',
  aggregate: true,
  check(entry, settings, out) {
    const { type } = entry.inode;
    if (type !== 'file' && type !== 'directory') return;
    // Under a default ACL the umask is not used at all: what the ACL gives is the expectation there.
    if (entry.underDefaultAcl) return;
    // Nor where the code chmods what it creates (a creation model in the policy, issue 13).
    if (!umaskDecides(entry.isDir ? entry.policy.create?.directory : entry.policy.create?.file)) return;
    const expected = expectedMode(settings, entry.inode.uid, entry.isDir, entry.inode.mode);
    const actual = ownBits(entry.inode);
    if (actual === expected) return;
    const severity = severityOf(this, settings, actual & ~expected ? undefined : 'info');
    if (!severity) return;
    out.push(
      candidate(
        'mode-drift',
        severity,
        entry,
        -1,
        driftDetail.encode({ expected, needed: neededBits(entry, settings) & actual & ~expected }),
      ),
    );
  },
  describe(c, { settings, names }) {
    const actual = ownBits(c.inode);
    const { expected, needed } = driftDetail.decode(c.detail);
    const extra = actual & ~expected;
    const umask = settings.umaskByUid.get(c.inode.uid);
    const owner = settings.subjects.find((s) => s.role && s.role.uid === c.inode.uid);
    const source =
      umask !== undefined && owner
        ? `umask ${formatOctal(umask)} of ${owner.name} (its owner)`
        : `the default umask ${formatOctal(settings.defaultUmask)}`;
    const comparison = extra ? 'more permissive than' : 'stricter than';
    const message = `${c.rel} (${describeInode(c.inode, names)}) is ${formatOctal(actual)}, ${comparison} the ${formatOctal(expected)} that ${source} gives`;
    if (!needed || !owner?.role) return { message };
    // The policy needs those bits: the mode is right and the umask is what makes new entries wrong.
    const umaskNeeded = (umask ?? settings.defaultUmask) & ~needed;
    return {
      message: `${message}; the policy needs those bits here`,
      advice: `give ${owner.name} umask ${formatOctal(umaskNeeded)}: ${umaskPlace(owner.role, umaskNeeded, settings.preset, settings.rootInsideSafe ?? settings.rootSafe)}`,
    };
  },
};

/**
 * The permission bits some role's level needs on this entry, in the class that role falls in. Never
 * write for others: a role that writes as "others" needs a shared group (the plan gives one), and a
 * umask that let it write would let every local user write what is created (after chmod -R 777, the
 * advice once read "umask 0020" and "umask 0000").
 */
function neededBits(entry: Parameters<NonNullable<Rule['check']>>[0], settings: AuditSettings): number {
  let bits = 0;
  entry.policy.levels.forEach((level, s) => {
    if (level !== 'read' && level !== 'write') return;
    const principal = settings.subjects[s]!.principal;
    const wanted = (level === 'write' ? READ | WRITE : READ) | (entry.isDir ? EXECUTE : 0);
    const shift = principal.uid === entry.inode.uid ? 6 : principal.gids.includes(entry.inode.gid) ? 3 : 0;
    bits |= (shift === 0 ? wanted & ~WRITE : wanted) << shift;
  });
  return bits;
}
