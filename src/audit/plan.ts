import { rootReplaceableBy } from '../trust/replaceable.js';
import { untrustedWriters, writerText, type Writer } from '../access/writers.js';
import { aclReaderStatus } from '../walk/acl-read.js';
import { lstatSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { lookUp } from '../walk/lookup.js';
import type { WalkStart } from '../walk/walker.js';
import type { Trust } from '../trust/trust.js';
import { firstBlocker } from '../access/traversal.js';
import { bindProjectRoles, loadProject, type RoleOptions } from '../project/setup.js';
import { UsageError } from '../errors.js';
import { assemblePolicy } from '../policy/assemble.js';
import { CompiledPolicy, type PolicyRule } from '../policy/compile.js';
import { PlanMemo } from '../plan/memo.js';
import { planOpens } from '../plan/opens.js';
import { CONFIG_FILE } from '../policy/config-name.js';
import { checkGlob, literalStart } from '../policy/glob.js';
import { NO_FRAMEWORK } from '../policy/choose.js';
import { detectFramework, frameworkAbove } from '../project/framework.js';
import type { Role } from '../roles/role.js';
import type { TraverseBlock } from '../rules/traverse-denied.js';
import type { UserDatabase } from '../users/database.js';
import type { ReportHeader } from '../reporters/reporter.js';
import { roleJson } from '../roles/json.js';
import { subjectsOf } from '../roles/subject.js';
import type { AuditSettings } from '../rules/contract.js';

export interface AuditOptions extends RoleOptions {
  preset?: string;
  umask?: string;
  ignore?: string[];
  ignoreAncestors?: boolean;
  /** --only globs: report only matching entries. */
  only?: string[];
  /** How to run permcheck fix on the resolved root with these options (commands/audit.ts). */
  fixInvocation?: (root: string) => string;
}

/** Everything a run needs, resolved from flags, config, presets and the machine. */
export interface AuditPlan {
  /** The directory walked: the root with its symlinks resolved, opened and checked. */
  start: WalkStart;
  header: ReportHeader;
  settings: AuditSettings;
  policy: CompiledPolicy;
  /** What the policy was compiled from: plain data for worker threads. */
  rules: PolicyRule[];
  ignore: string[];
  only: string[];
  ancestorBlocks: (TraverseBlock | undefined)[];
  db: UserDatabase;
  /** Whose files may decide what permcheck does (trust/trust.ts). */
  trust: Trust;
}

export async function planAudit(dir: string | undefined, options: AuditOptions): Promise<AuditPlan> {
  const root = resolve(dir ?? '.');
  checkRoot(root, dir ?? '.');
  const project = await loadProject(options, root, false);
  // An artifact audited apart from its host (--ignore-ancestors) has no host processes to ask.
  const hostOptions = options.ignoreAncestors ? { ...options, discover: false } : options;
  const { roles, preset: chosen, defaultUmask } = bindProjectRoles(project, hostOptions, root);
  const { preset, source } = chosen;
  const subjects = subjectsOf(roles);
  const only = scopeGlobs(options);
  const assembled = assemblePolicy({
    config: project.config,
    configFile: project.file,
    preset,
    subjects: subjects.map((s) => s.name),
    roles,
    db: project.db,
    extraIgnore: options.ignore ?? [],
  });
  const umaskByUid = new Map<number, number>();
  for (const role of roles) if (!umaskByUid.has(role.uid)) umaskByUid.set(role.uid, role.umask);
  // The way to the root, as the kernel walks it (symlinks in the root's path included).
  const resolved = lookUp(root, process.cwd(), { keepTargetOpen: true });
  if (resolved.fd === undefined) throw new UsageError(`'${dir ?? '.'}' cannot be opened by this user`);
  for (const glob of only) checkOnlyFinds(glob, resolved.fd, resolved.resolved);
  const start: WalkStart = {
    fd: resolved.fd,
    entry: { ...resolved.target, path: resolved.resolved, rel: '.', dev: resolved.dev, ino: resolved.ino, nlink: resolved.nlink },
  };
  // Who could swap the root for a symlink between this audit and the paste of its fixes.
  const replacers = rootReplaceableBy(resolved.chain, { path: resolved.resolved, inode: resolved.target }, project.trust.uids);
  // Who could change what is in the root (its owner, a group with write): every fix inside is then a
  // permcheck fix line, and the header says whom to --trust for commands instead.
  const insiders = replacers.length === 0 ? untrustedWriters(resolved.target, project.trust.uids) : [];
  const notes = [
    ...(replacers.length > 0 ? [replaceableNote(replacers, project.db)] : []),
    ...(insiders.length > 0 ? [insideNote(insiders, project.db)] : []),
    ...projectAboveNote(source, resolved.resolved, project.trust),
  ];
  const ancestorBlocks = subjects.map((subject) => {
    if (options.ignoreAncestors) return undefined;
    const blocker = firstBlocker(resolved.chain, subject.principal);
    return blocker ? { blocker: blocker.path, inode: blocker.inode, ancestor: true, listsIt: false } : undefined;
  });
  const settings: AuditSettings = {
    subjects,
    severities: project.config.rules ?? {},
    umaskByUid,
    defaultUmask: defaultUmask.value,
    sharedGid: sharedGroup(roles),
    preset: preset?.name,
    trustedUids: [...project.trust.uids],
    rootSafe: replacers.length === 0,
    rootInsideSafe: replacers.length === 0 && insiders.length === 0,
    // The tree audited, not the way to it: releases/current may point elsewhere by then.
    fixInvocation: options.fixInvocation?.(resolved.resolved),
  };
  const policy = new CompiledPolicy(assembled.rules, assembled.ignore, subjects.length, only);
  // Inside the root after the plan ran, too: a root the plan hands to someone untrusted (or opens to a
  // group) is no place for a pasted command such as `echo 002 > magento_umask`.
  if (
    settings.rootInsideSafe &&
    planOpens(
      { ...resolved.target, nlink: resolved.nlink },
      policy.rootPolicy(),
      subjects,
      project.trust.uids,
      new PlanMemo(settings),
      false,
    )
  )
    settings.rootInsideSafe = false;
  return {
    start,
    header: {
      root,
      resolvedRoot: resolved.resolved,
      preset: preset?.name ?? null,
      presetSource: source,
      config: {
        file: project.file ?? null,
        source: project.choice.explicit
          ? '--config'
          : project.file
            ? 'found in the audited directory'
            : `no ${CONFIG_FILE} in the audited directory`,
      },
      roles: roles.map(roleJson),
      runner: { uid: process.getuid?.() ?? -1, user: project.db.user(process.getuid?.() ?? -1) },
      acl: aclReaderStatus(),
      ...(notes.length > 0 ? { notes } : {}),
    },
    settings,
    policy,
    rules: assembled.rules,
    ignore: assembled.ignore,
    only,
    ancestorBlocks,
    db: project.db,
    trust: project.trust,
  };
}

/**
 * The group that lets the most roles share files: the one in the most roles' group sets (two at
 * least), preferring the web role's groups on a tie. Root's group is never a sharing recipe.
 */
export function sharedGroup(roles: readonly Role[]): number | undefined {
  const users = new Map<number, Set<number>>();
  for (const role of roles)
    for (const gid of role.gids) if (gid !== 0) (users.get(gid) ?? users.set(gid, new Set()).get(gid)!).add(role.uid);
  const web = roles.find((role) => role.name === 'web');
  let best: number | undefined;
  let bestCount = 1;
  for (const [gid, members] of users) {
    const better =
      members.size > bestCount || (members.size === bestCount && best !== undefined && web?.gids.includes(gid) && !web.gids.includes(best));
    if (better) {
      best = gid;
      bestCount = members.size;
    }
  }
  return best;
}

function checkRoot(root: string, given: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(root).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `'${given}' ${code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be reached by this user' : (error as Error).message}`,
    );
  }
  if (!isDirectory) throw new UsageError(`'${given}' is not a directory: give the application's root directory`);
}

/** --ignore and --only checked as globs (one line, exit 2, for a bad one); the --only patterns. */
export function scopeGlobs(options: Pick<AuditOptions, 'ignore' | 'only'>): string[] {
  const globFlag = (flag: string) => (glob: string) => {
    const checked = checkGlob(glob);
    if (!checked.ok) throw new UsageError(`${flag} '${glob}' ${checked.reason}`);
    return checked.pattern;
  };
  (options.ignore ?? []).forEach(globFlag('--ignore'));
  return (options.only ?? []).map(globFlag('--only'));
}

/**
 * A mistyped --only ('storag/**') audits nothing and passes: where the glob starts with a literal
 * path, that path must be in the tree. Only a missing one is refused; one this user may not look at
 * is left to the walk to report.
 */
function checkOnlyFinds(glob: string, rootFd: number, root: string): void {
  const base = literalStart(glob);
  if (base === '' || base === '.') return;
  // Name by name, as the walk goes: it follows no symlink, so a path through one names nothing in the tree.
  const names = base.split('/');
  for (let i = 0; i < names.length; i++) {
    const path = names.slice(0, i + 1).join('/');
    let stats;
    try {
      stats = lstatSync(`/proc/self/fd/${rootFd}/${path}`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG')
        throw new UsageError(`--only '${glob}' names nothing in ${root}: there is no ${path}`);
      return;
    }
    if (i < names.length - 1 && stats.isSymbolicLink())
      throw new UsageError(`--only '${glob}' names nothing in ${root}: ${path} is a symbolic link, which the audit does not follow`);
  }
}

/**
 * Run inside an application (cd storage && permcheck audit): no framework here, but one above. Its
 * policy, roles and owner were meant; the generic preset and this directory's owner as cli were not.
 */
function projectAboveNote(source: string, root: string, trust: Trust): string[] {
  if (source !== NO_FRAMEWORK || dirname(root) === root) return [];
  const above = frameworkAbove(dirname(root), trust, []);
  const detected = above === undefined ? undefined : detectFramework(above);
  return above && detected
    ? [`${root} is inside the ${detected.preset.title} application at ${above}: audit that directory for its policy and roles`]
    : [];
}

/** Each writer in words, once: "deploy (its owner), group www-data". */
function writersText(writers: readonly Writer[], db: UserDatabase): string {
  return [...new Set(writers.map((writer) => writerText(writer, db)))].join(', ');
}

function insideNote(insiders: readonly Writer[], db: UserDatabase): string {
  const who = writersText(insiders, db);
  const owner = insiders.find((writer) => writer.kind === 'owner');
  const trust = owner?.kind === 'owner' ? `; --trust ${db.user(owner.uid)} if that user is yours, for commands` : '';
  return `${who} can change what is in the root: fixes are given as permcheck fix, which checks each entry before it changes it${trust}`;
}

function replaceableNote(replacers: readonly Writer[], db: UserDatabase): string {
  const who = writersText(replacers, db);
  return `${who} can replace a directory above the root: fixes are given as permcheck fix, which checks each entry before it changes it`;
}
