import { userInfo } from 'node:os';
import { posix } from 'node:path';
import { firstBlocker } from '../access/traversal.js';
import type { DiscoveredRole } from '../discover/discovery.js';
import { UsageError } from '../errors.js';
import { scopeGlobs, sharedGroup, type AuditOptions, type AuditPlan } from '../audit/plan.js';
import { roleJson } from '../roles/json.js';
import { loadProject } from '../project/setup.js';
import { assemblePolicy } from '../policy/assemble.js';
import { chooseDefaultUmask, choosePreset, MAGENTO_UMASK_FILE } from '../policy/choose.js';
import { frameworkOf } from '../policy/presets/index.js';
import { CompiledPolicy } from '../policy/compile.js';
import { CONFIG_FILE } from '../policy/config-name.js';
import type { ArtifactSummary } from '../reporters/reporter.js';
import { resolveRoleSet } from '../roles/resolve.js';
import { subjectsOf } from '../roles/subject.js';
import { trustFor } from '../trust/trust.js';
import type { UserDatabase } from '../users/database.js';
import { loadUserDatabase } from '../users/load.js';
import { headerNames } from './header-names.js';
import { isImageLayout } from './detect.js';
import { readImage, type ContainerImage } from './image.js';
import { archiveAncestors, archiveLookup } from './lookup.js';
import { readArchive } from './read.js';
import type { ArchiveTree } from './tree.js';

export interface ArtifactOptions extends AuditOptions {
  /** The application's directory inside a container image (/var/www/html). */
  imageRoot?: string;
  /** Which image, when an archive or layout holds several. */
  imageRef?: string;
}

/** An audit of an archive or image: the same plan as a directory's, with a tree in memory instead of a directory to open. */
export interface ArtifactPlan extends Omit<AuditPlan, 'start'> {
  tree: ArchiveTree;
  /** The audited directory in the tree ('.' in an archive, /var/www/html in an image). */
  rootRel: string;
}

/**
 * Read an archive or image and plan its audit: the same rules, policy, presets and output as a
 * directory's. Owners are named by --passwd/--group when given, else by the headers. Nothing of
 * this host is consulted (no processes, no directories above the root); the image's User is the
 * default web and cli user.
 */
export async function planArtifactAudit(target: string, options: ArtifactOptions): Promise<ArtifactPlan> {
  const notes: string[] = [];
  const { tree, rootRel, artifact, image } = await readArtifact(target, options);
  for (const line of tree.notes.lines()) notes.push(`${tree.label}: ${line}`);
  const root = archiveLookup(tree, rootRel)!;
  const at = (path: string) => (rootRel === '.' ? path : posix.join(rootRel, path));
  const exists = (marker: string) => archiveLookup(tree, at(marker)) !== undefined;

  // A config inside the artifact is not read (its content is not kept, and it would decide its own audit).
  const project = options.config !== undefined ? await loadProject({ ...options, discover: false }, process.cwd(), false) : undefined;
  const config = project?.config ?? {};
  const configFile = project?.file;
  if (!project && exists(CONFIG_FILE)) notes.push(`${at(CONFIG_FILE)} in the ${artifact.kind} is not read: pass it with --config`);
  const db = options.passwd !== undefined || options.group !== undefined ? (project?.db ?? hostFiles(options)) : headerNames(tree);

  const { preset, source } = choosePreset(options.preset, config, configFile, () => frameworkOf(exists));
  if (options.umask === undefined && preset?.name === 'magento2' && exists(MAGENTO_UMASK_FILE)) {
    notes.push(
      `${at(MAGENTO_UMASK_FILE)} is not read from the ${artifact.kind}: roles get Magento's default umask unless --umask says otherwise`,
    );
  }
  const umask = chooseDefaultUmask(options.umask, config, configFile, preset, undefined);
  const roleSet = resolveRoleSet(
    {
      config,
      configFile,
      flags: { web: options.webUser, cli: options.cliUser, cron: options.cronUser },
      project: { path: root.path, uid: root.uid },
      defaultUmask: umask,
      discovered: image?.user === undefined ? undefined : { roles: imageRoles(image, artifact.file), notes: [] },
    },
    db,
  );
  notes.push(...roleSet.notes);
  const roles = roleSet.roles;
  const subjects = subjectsOf(roles);
  const only = scopeGlobs(options);
  const assembled = assemblePolicy({
    config,
    configFile,
    preset,
    subjects: subjects.map((s) => s.name),
    roles,
    db,
    extraIgnore: options.ignore ?? [],
  });
  const umaskByUid = new Map<number, number>();
  for (const role of roles) if (!umaskByUid.has(role.uid)) umaskByUid.set(role.uid, role.umask);

  // Above the root: what the artifact holds is judged, what it only implies (or what lies outside it) is not.
  const ancestors = options.ignoreAncestors ? [] : archiveAncestors(tree, rootRel).filter((dir) => !dir.implied);
  if (!options.ignoreAncestors) notes.push(ancestorNote(tree, rootRel, ancestors.length));
  const chain = ancestors.map((dir) => ({ path: dir.path, inode: dir }));
  const ancestorBlocks = subjects.map((subject) => {
    const blocker = firstBlocker(chain, subject.principal);
    return blocker ? { blocker: blocker.path, inode: blocker.inode, ancestor: true, listsIt: false } : undefined;
  });
  const runner = process.getuid?.() ?? -1;
  const shown = artifact.kind === 'archive' ? artifact.file : `${artifact.file}:${rootRel}`;
  const trust = project?.trust ?? trustFor(runner);
  return {
    tree,
    rootRel,
    header: {
      root: shown,
      resolvedRoot: shown,
      preset: preset?.name ?? null,
      presetSource: source,
      config: {
        file: configFile ?? null,
        source: configFile ? '--config' : `one inside the ${artifact.kind} is not read; --config names one`,
      },
      roles: roles.map(roleJson),
      runner: { uid: runner, user: runnerName(runner) },
      acl: { state: 'unknown', reason: 'ACLs stored in an archive are not read' },
      artifact,
      notes,
    },
    settings: {
      subjects,
      severities: config.rules ?? {},
      umaskByUid,
      defaultUmask: umask.value,
      sharedGid: sharedGroup(roles),
      preset: preset?.name,
      trustedUids: [...trust.uids],
      // An archive's fixes are for the tree it unpacks to, which no one else holds yet.
      rootSafe: true,
      raceFree: true,
      // The target host's setting is unknown: every distribution's default.
      // permcheck fix changes files on disk, not in an archive.
      fixInvocation: undefined,
    },
    policy: new CompiledPolicy(assembled.rules, assembled.ignore, subjects.length, only),
    rules: assembled.rules,
    ignore: assembled.ignore,
    only,
    ancestorBlocks,
    db,
    trust,
  };
}

async function readArtifact(
  target: string,
  options: ArtifactOptions,
): Promise<{ tree: ArchiveTree; rootRel: string; artifact: ArtifactSummary; image: ContainerImage | undefined }> {
  const label = target === '-' ? 'stdin' : target;
  if (options.imageRoot !== undefined) {
    if (!options.imageRoot.startsWith('/'))
      throw new UsageError(`--image-root '${options.imageRoot}' must be an absolute path in the image, such as /var/www/html`);
    const image = await readImage(target, { ref: options.imageRef });
    const rootRel = posix.normalize(options.imageRoot);
    if (!archiveLookup(image.tree, rootRel)) throw new UsageError(`${label}: ${rootRel} is not in the image`);
    const artifact: ArtifactSummary = { kind: 'image', file: label, root: rootRel, ref: image.ref, layers: image.layers, user: image.user };
    return { tree: image.tree, rootRel, artifact, image };
  }
  if (target !== '-' && isImageLayout(target)) {
    throw new UsageError(
      `${target}: an OCI image layout; name the application's directory in it with --image-root (such as /var/www/html)`,
    );
  }
  if (options.imageRef !== undefined) throw new UsageError('--image-ref names an image: give --image-root too');
  const tree = await readArchive(target);
  if (tree.looksLikeImage) {
    throw new UsageError(
      `${label}: a container image (docker save); name the application's directory in it with --image-root (such as /var/www/html)`,
    );
  }
  return { tree, rootRel: '.', artifact: { kind: 'archive', file: label, root: '.' }, image: undefined };
}

/** The image's User ("www-data", "33:33", "app:www-data") runs both the web server's PHP and `docker exec`. */
function imageRoles(image: ContainerImage, label: string): DiscoveredRole[] {
  const [user, group] = image.user!.split(':') as [string, string | undefined];
  const numeric = (text: string | undefined) => (text !== undefined && /^\d+$/.test(text) ? Number(text) : text);
  const userValue = numeric(user)!;
  const groupValue = numeric(group);
  const source = { field: 'user' as const, kind: 'default' as const, text: `User ${image.user} in the image config (${label})` };
  return ['web', 'cli'].map((name) => ({
    name,
    user: userValue,
    ...(groupValue !== undefined ? { group: groupValue } : {}),
    // A numeric user with a numeric group needs no user database to be a principal.
    ...(typeof userValue === 'number' ? { gids: [typeof groupValue === 'number' ? groupValue : userValue] } : {}),
    sources: [source],
  }));
}

function ancestorNote(tree: ArchiveTree, rootRel: string, judged: number): string {
  if (rootRel === '.') {
    return `the directories above ${tree.label}'s root are wherever it is unpacked: not judged (--ignore-ancestors silences this)`;
  }
  return judged > 0
    ? `the ${judged === 1 ? 'directory' : `${judged} directories`} above ${rootRel} judged as the ${tree.absolute ? 'image' : 'archive'} has them; those it only implies are skipped`
    : `the directories above ${rootRel} are not in the ${tree.absolute ? 'image' : 'archive'}: not judged`;
}

function hostFiles(options: ArtifactOptions): UserDatabase {
  return loadUserDatabase({ passwd: options.passwd, group: options.group });
}

function runnerName(uid: number): string {
  try {
    return userInfo().username;
  } catch {
    return String(uid);
  }
}
