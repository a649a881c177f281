import { joinOr, type Names } from '../access/describe.js';
import { WRITE_AND_SEARCH } from '../access/permission.js';
import type { Inode } from '../access/types.js';
import type { Candidate, Subject } from './contract.js';
import { applyChange } from '../change/change.js';
import { pathArgument } from '../fix/shell.js';
import { umaskPlace } from './umask-place.js';
import { EXECUTE, formatOctal, symbolicMode } from '../mode/bits.js';
import { predictCreated, type Created } from '../predict/created.js';
import { LOST_CREATE_INSIDE, LOST_DELETE, LOST_READ, LOST_WRITE, lostNames, predictLoss } from '../predict/loss.js';
import { findRemedy, type Remedy } from '../predict/remedy.js';
import type { Role } from '../roles/role.js';
import { candidateKey, severityOf, type Rule } from './rule.js';

/** detail: the lost operations (4 bits), whether the role writes there (1 bit), the creator. */
const WRITES_BIT = 16;
const CREATOR_SHIFT = 5;

/**
 * What one role creates in a directory it writes, and what another role that uses the directory
 * then cannot do with it: the permission-denied that has not happened yet.
 */
export const crossContext: Rule = {
  id: 'cross-context',
  title: 'What one role creates, another cannot use',
  defaultSeverity: 'error',
  summary: 'a role creates files and directories under its umask that another role will not be able to read, write, fill or delete',
  scope: 'directory',
  aggregate: true,
  check(entry, settings, out) {
    if (entry.inode.type !== 'directory') return;
    const severity = severityOf(this, settings);
    if (!severity) return;
    const { levels } = entry.policy;
    const subjects = settings.subjects;
    for (let a = 0; a < subjects.length; a++) {
      const creator = subjects[a]!.role;
      // Only a role the policy lets write here, and that can create entries here today, creates.
      if (!creator || levels[a] !== 'write' || !entry.reachable[a] || !(entry.granted[a]! & WRITE_AND_SEARCH)) continue;
      // cron running as the cli user under the same umask creates exactly what cli creates.
      if (subjects.slice(0, a).some((s, i) => levels[i] === 'write' && s.role && sameCreator(s.role, creator))) continue;
      let created: Created | undefined;
      for (let b = 0; b < subjects.length; b++) {
        const level = levels[b];
        if (b === a || (level !== 'read' && level !== 'write')) continue;
        const user = subjects[b]!.principal;
        // The same user never locks itself out; root never loses. A role that cannot enter the
        // directory at all is traverse-denied's: nothing created there changes that.
        if (user.uid === creator.uid || user.uid === 0 || !entry.reachable[b] || !(entry.granted[b]! & EXECUTE)) continue;
        created ??= predictCreated(creator, entry.inode);
        const lost = predictLoss(created, entry.inode, user, level === 'write');
        if (!lost) continue;
        const detail = lost | (level === 'write' ? WRITES_BIT : 0) | (a << CREATOR_SHIFT);
        out.push({
          rule: 'cross-context',
          severity,
          key: candidateKey('cross-context', severity, b, detail),
          rel: entry.rel,
          inode: entry.inode,
          subject: b,
          detail,
          entries: 1,
          ...(entry.raw ? { raw: entry.raw } : {}),
        });
      }
    }
  },
  describe(c, { settings, names }) {
    const creator = settings.subjects[c.detail >> CREATOR_SHIFT]!;
    const user = settings.subjects[c.subject]!;
    const role = creator.role!;
    const lost = c.detail & 0xf;
    const created = predictCreated(role, c.inode);
    const made = `${creator.name} (${role.user}, umask ${formatOctal(role.umask)}) creates files ${formatOctal(created.file.mode)} ${owner(created.file, names)} and directories ${formatOctal(created.dir.mode)} ${owner(created.dir, names)} in ${c.rel}`;
    const message = `${made}; ${user.name}${user.role ? ` (${user.role.user})` : ''} then cannot ${lostWords(lost)}`;
    // The plan gives the directory its group and setgid where that is enough; what is left is advice.
    const planned = applyChange(c.inode, c.change);
    const writes = (c.detail & WRITES_BIT) !== 0;
    const stillLost = predictLoss(predictCreated(role, planned), planned, user.principal, writes) !== 0;
    const remedies = stillLost ? findRemedy({ creator: role, user: user.principal, writes, parent: planned }) : [];
    const advice = remedies.flatMap((remedy) => remedyAdvice(remedy, c, creator, user, names, settings.preset)).join('; then ');
    return {
      message,
      ...(advice ? { advice: `${advice}.` } : {}),
      extra: {
        creator: creator.name,
        lost: lostNames(lost),
        predicted: { file: predicted(created.file, names), dir: predicted(created.dir, names) },
      },
    };
  },
};

function sameCreator(a: Role, b: Role): boolean {
  return (
    a.uid === b.uid &&
    a.gid === b.gid &&
    a.umask === b.umask &&
    a.create.file === b.create.file &&
    a.create.directory === b.create.directory
  );
}

function owner(inode: Inode, names: Names): string {
  return `${names.user(inode.uid)}:${names.group(inode.gid)}`;
}

function predicted(inode: Inode, names: Names) {
  return { mode: formatOctal(inode.mode), symbolic: symbolicMode(inode.mode), owner: names.user(inode.uid), group: names.group(inode.gid) };
}

function lostWords(lost: number): string {
  const words = [
    lost & LOST_READ ? 'read those files or list those directories' : '',
    lost & LOST_WRITE ? 'write those files' : '',
    lost & LOST_CREATE_INSIDE ? 'create entries in those directories' : '',
    lost & LOST_DELETE ? 'delete those files' : '',
  ].filter(Boolean);
  return joinOr(words);
}

function remedyAdvice(remedy: Remedy, c: Candidate, creator: Subject, user: Subject, names: Names, preset: string | undefined): string[] {
  const role = creator.role!;
  const dir = pathArgument(c.raw ?? c.rel);
  switch (remedy.kind) {
    case 'umask':
      return [
        `give ${creator.name} umask ${formatOctal(remedy.umask)} so the group gets what ${creator.name} creates: ${umaskPlace(role, remedy.umask, preset)}`,
      ];
    case 'shared-group':
      // The plan already set the group and setgid it could; only a umask can be left over.
      return remedy.umask === undefined
        ? []
        : [`give ${creator.name} umask ${formatOctal(remedy.umask)}: ${umaskPlace(role, remedy.umask, preset)}`];
    case 'acl': {
      const who = user.role ? `u:${names.user(user.role.uid)}` : 'o';
      const bits = (c.detail & 0xf) === LOST_READ ? 'rX' : 'rwX';
      return [
        `or default ACLs, which replace the umask for new entries: setfacl -R -P -m ${who}:${bits} -- ${dir} && setfacl -R -P -d -m ${who}:${bits} -- ${dir}`,
      ];
    }
    case 'unsticky':
      return [`drop the sticky bit unless the directory is shared with strangers (it lets only owners delete): chmod -- -t ${dir}`];
  }
}
