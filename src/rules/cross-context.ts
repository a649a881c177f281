import { joinOr, type Names } from '../access/describe.js';
import { WRITE_AND_SEARCH } from '../access/permission.js';
import type { Inode } from '../access/types.js';
import type { Candidate, Subject } from './contract.js';
import { applyChange } from '../change/change.js';
import { pathArgument } from '../fix/shell.js';
import { UNSAFE_PATH } from './unsafe-path.js';
import { umaskPlace } from './umask-place.js';
import { EXECUTE, formatOctal, symbolicMode } from '../mode/bits.js';
import { predictCreated, type Created } from '../predict/created.js';
import { LOST_CREATE_INSIDE, LOST_DELETE, LOST_READ, LOST_WRITE, lostNames, predictLoss } from '../predict/loss.js';
import { creationModel, describeModel, sameMaking, type PathCreation } from '../predict/model.js';
import { findRemedy, type Remedy } from '../predict/remedy.js';
import type { Role } from '../roles/role.js';
import { candidateKey, severityOf, type Rule } from './rule.js';

/** What cross-context found: what `subject` loses, whether it writes there too, and who creates. */
export interface CrossContextDetail {
  /** LOST_* bits (predict/loss.ts). */
  lost: number;
  writes: boolean;
  /** Index of the creating subject. */
  creator: number;
}

const LOST_BITS = LOST_READ | LOST_WRITE | LOST_CREATE_INSIDE | LOST_DELETE;
const WRITES = LOST_BITS + 1;
const CREATOR_UNIT = WRITES * 2;

/**
 * The detail as one number, which is also the key's own part: what differs in loss or creator is
 * never folded together.
 */
export const crossContextDetail = {
  encode: (detail: CrossContextDetail): number => detail.lost | (detail.writes ? WRITES : 0) | (detail.creator * CREATOR_UNIT),
  decode: (c: Candidate): CrossContextDetail => ({
    lost: c.detail & LOST_BITS,
    writes: (c.detail & WRITES) !== 0,
    creator: Math.floor(c.detail / CREATOR_UNIT),
  }),
};

/**
 * extra: what the policy says of creations in the directory, when it says anything, and the call
 * site in the PHP code that decided it (a finding fed by the scan).
 */
export interface CrossContextExtra {
  rule?: 'cross-context';
  create?: PathCreation;
  site?: { file: string; line: number };
}

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
    const { levels, create: path } = entry.policy;
    const replace = path?.replace ?? false;
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
        created ??= predictCreated(creator, entry.inode, path);
        const lost = predictLoss(created, entry.inode, user, level === 'write', replace, path?.directories !== false);
        if (!lost) continue;
        const detail = crossContextDetail.encode({ lost, writes: level === 'write', creator: a });
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
          ...(path ? { extra: { create: path } satisfies CrossContextExtra } : {}),
        });
      }
    }
  },
  describe(c, { settings, names }) {
    const detail = crossContextDetail.decode(c);
    const creator = settings.subjects[detail.creator]!;
    const user = settings.subjects[c.subject]!;
    const role = creator.role!;
    const { lost, writes } = detail;
    const { create: path, site } = (c.extra ?? {}) as CrossContextExtra;
    const replace = path?.replace === true;
    const created = predictCreated(role, c.inode, path);
    const how = describeModel(creationModel(role.create, path, role.name));
    const by = site ? `; ${site.file}:${site.line} decides it` : '';
    // Under a default ACL the umask is not used: the ACL decides, and what is made carries ACL entries
    // (a '+', as ls shows it), whose group entry and mask may deny what the mode's bits seem to give.
    const decides = c.inode.defaultAcl
      ? `the default ACL of ${c.rel} decides, not umask ${formatOctal(role.umask)}`
      : `umask ${formatOctal(role.umask)}`;
    const mode = (inode: Inode) => `${formatOctal(inode.mode)}${inode.acl ? '+' : ''}`;
    const made = `${creator.name} (${role.user}, ${decides}${how.length > 0 ? `; ${how.join('; ')}` : ''}${by}) creates files ${mode(created.file)} ${owner(created.file, names)}${path?.directories === false ? '' : ` and directories ${mode(created.dir)} ${owner(created.dir, names)}`} in ${c.rel}`;
    const message = `${made}; ${user.name}${user.role ? ` (${user.role.user})` : ''} then cannot ${lostWords(lost, replace)}`;
    // The plan gives the directory its group and setgid where that is enough; what is left is advice.
    const planned = applyChange(c.inode, c.change);
    const stillLost =
      predictLoss(predictCreated(role, planned, path), planned, user.principal, writes, replace, path?.directories !== false) !== 0;
    const remedies = stillLost ? findRemedy({ creator: role, user: user.principal, writes, parent: planned, path }) : [];
    const advice = joinSteps(
      remedies.flatMap((remedy) =>
        remedyAdvice(remedy, c, creator, user, names, settings.preset, settings.rootInsideSafe ?? settings.rootSafe),
      ),
    );
    return {
      message,
      ...(advice ? { advice: `${advice}.` } : {}),
      extra: {
        creator: creator.name,
        lost: lostNames(lost),
        predicted: { file: predicted(created.file, names), dir: predicted(created.dir, names) },
        ...(site ? { site } : {}),
      },
    };
  },
};

function sameCreator(a: Role, b: Role): boolean {
  return (
    a.uid === b.uid &&
    a.gid === b.gid &&
    a.umask === b.umask &&
    sameMaking(a.create.file, b.create.file) &&
    sameMaking(a.create.directory, b.create.directory)
  );
}

function owner(inode: Inode, names: Names): string {
  return `${names.user(inode.uid)}:${names.group(inode.gid)}`;
}

function predicted(inode: Inode, names: Names) {
  return { mode: formatOctal(inode.mode), symbolic: symbolicMode(inode.mode), owner: names.user(inode.uid), group: names.group(inode.gid) };
}

function lostWords(lost: number, replace: boolean): string {
  const words = [
    lost & LOST_READ ? 'read those files or list those directories' : '',
    lost & LOST_WRITE ? (replace ? 'replace those files' : 'write those files') : '',
    lost & LOST_CREATE_INSIDE ? 'create entries in those directories' : '',
    lost & LOST_DELETE ? 'delete those files' : '',
  ].filter(Boolean);
  return joinOr(words);
}

/** One piece of advice: a step after the ones before it, or another way to the same end. */
interface Step {
  text: string;
  alternative?: boolean;
}

/** Steps in order ("; then "), an alternative after them ("; or "); the first never starts with a joiner. */
function joinSteps(steps: readonly Step[]): string {
  return steps.map((step, i) => (i === 0 ? step.text : `${step.alternative ? '; or ' : '; then '}${step.text}`)).join('');
}

function remedyAdvice(
  remedy: Remedy,
  c: Candidate,
  creator: Subject,
  user: Subject,
  names: Names,
  preset: string | undefined,
  rootSafe: boolean,
): Step[] {
  const role = creator.role!;
  const dir = pathArgument(c.raw ?? c.rel);
  switch (remedy.kind) {
    case 'umask':
      return [
        {
          text: `give ${creator.name} umask ${formatOctal(remedy.umask)} so the group gets what ${creator.name} creates: ${umaskPlace(role, remedy.umask, preset, rootSafe)}`,
        },
      ];
    case 'shared-group':
      // The plan already set the group and setgid it could; only a umask can be left over.
      return remedy.umask === undefined
        ? []
        : [{ text: `give ${creator.name} umask ${formatOctal(remedy.umask)}: ${umaskPlace(role, remedy.umask, preset, rootSafe)}` }];
    case 'acl': {
      const who = user.role ? `u:${names.user(user.role.uid)}` : 'o';
      const bits = crossContextDetail.decode(c).lost === LOST_READ ? 'rX' : 'rwX';
      // setfacl -R works by path: below a directory someone untrusted can change, a swapped-in symlink
      // would lead it out of the tree. Then the advice is words, not a command to paste.
      const text = c.adviceUnsafe
        ? `set default ACLs, which replace the umask for new entries, giving ${who}:${bits} on ${c.rel} and below it (${UNSAFE_PATH})`
        : `set default ACLs, which replace the umask for new entries: setfacl -R -P -m ${who}:${bits} -- ${dir} && setfacl -R -P -d -m ${who}:${bits} -- ${dir}`;
      return [{ text, alternative: true }];
    }
    case 'unsticky':
      return [
        {
          text: c.adviceUnsafe
            ? `drop the sticky bit of ${c.rel} unless it is shared with strangers (it lets only owners delete; ${UNSAFE_PATH})`
            : `drop the sticky bit unless the directory is shared with strangers (it lets only owners delete): chmod -- -t ${dir}`,
        },
      ];
    case 'primary-group': {
      const group = names.group(remedy.gid);
      const where =
        role.name === 'web' ? `group = ${group} in the PHP-FPM pool` : `usermod -g ${group} ${role.user}, or sg ${group} in its service`;
      return [
        { text: `give ${creator.name} ${group} as its primary group (${where}), so files moved in from PHP's upload_tmp_dir keep it` },
      ];
    }
    case 'creation':
      return [
        {
          text: `the code chmods what it creates here to a fixed mode, whatever the umask: change that mode (or the setting it comes from) to one that keeps the group's rw bits`,
        },
      ];
  }
}
