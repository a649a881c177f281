import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { explainUmask, type CreationPlace } from '../explain/explain.js';
import { explanationJson, renderExplanationText } from '../explain/render.js';
import { parseRequestedMode, type RequestedMode } from '../explain/requested.js';
import { parseUmask, UMASK_FORMS } from '../mode/umask.js';
import { currentUmask } from '../system/current-umask.js';
import { dirname, isAbsolute, relative, sep } from 'node:path';
import { assemblePolicy } from '../policy/assemble.js';
import { CompiledPolicy } from '../policy/compile.js';
import type { PathCreation } from '../predict/model.js';
import { lookUp } from '../walk/lookup.js';
import type { Inode } from '../access/types.js';
import { subjectsOf } from '../roles/subject.js';
import { formatOctal, symbolicMode } from '../mode/bits.js';
import { chooseDefaultUmask, choosePreset } from '../policy/choose.js';
import { detectFramework } from '../policy/presets/index.js';
import { defaultUmaskKind } from '../roles/precedence.js';
import { creationStory, renderCreationStory, type Place } from '../predict/story.js';
import type { CommandContext } from './context.js';
import { bindRoles, loadProject, readMagentoUmask, type RoleOptions } from '../project/setup.js';
import { repeatable } from './repeatable.js';
import { addRoleOptions } from './role-options.js';

interface ExplainOptions extends RoleOptions {
  mode?: string[];
  json?: boolean;
  for?: string;
  in?: string;
}

export function defineExplain(command: Command, ctx: CommandContext): void {
  command
    .description('show what a umask does to new files and directories, and who may then use them')
    .argument('[umask]', 'octal (027, 0027, 0o027) or symbolic (u=rwx,g=rx,o=); default: the current umask')
    .option(
      '--mode <octal>',
      'also show a mode that code requests, e.g. 0775 for mkdir($dir, 0775) (repeatable; prefix file: or dir:)',
      repeatable,
    )
    .option('--json', 'print one JSON object')
    .option('--for <role>', 'what this role (web, cli, cron...) creates, and what the other roles can do with it')
    .option(
      '--in <dir>',
      'in this directory: its setgid bit and group, and how the config or preset says code creates there (chmod, inherit, replace)',
    );
  addRoleOptions(command).action(async (umaskArg: string | undefined, options: ExplainOptions) => {
    if (options.for !== undefined)
      return explainFor(options.for, umaskArg === undefined ? undefined : umaskArgument(umaskArg), options, ctx);
    const umask = umaskArg === undefined ? currentUmask() : umaskArgument(umaskArg);
    const custom = (options.mode ?? []).map(requestedArgument);
    let place: CreationPlace | undefined;
    if (options.in !== undefined) {
      const { path, inode } = placeOf(options.in);
      place = { path, inode, create: projectOf(options, path).creationIn(path) };
    }
    const explanation = explainUmask(umask, custom, place);
    const text = options.json
      ? JSON.stringify(explanationJson(explanation), null, 2) + '\n'
      : renderExplanationText(explanation, umaskArg === undefined ? 'the current umask' : '', ctx.paint());
    await ctx.out(text);
    ctx.settle({});
  });
}

/**
 * The project a path belongs to: where the config is (searched upwards from it), else the current
 * directory, as for access; its roles, and what its policy says of creations in a directory.
 */
function projectOf(options: ExplainOptions, from: string | undefined) {
  const project = loadProject(options, from ?? process.cwd(), true);
  const root = project.file ? dirname(project.file) : (frameworkAbove(from) ?? process.cwd());
  const { preset } = choosePreset(undefined, project.config, project.file, root);
  const magento = preset?.name === 'magento2' ? readMagentoUmask(root, project) : undefined;
  const fallback = chooseDefaultUmask(undefined, project.config, project.file, preset, magento);
  const roles = bindRoles(project, options, root, { ...fallback, kind: defaultUmaskKind(undefined, project.config, preset) });
  const subjects = subjectsOf(roles);
  const creationIn = (dir: string): PathCreation | undefined => {
    const rel = relative(root, dir);
    // A directory outside the project: its policy says nothing there.
    if (rel.startsWith('..') || isAbsolute(rel)) return undefined;
    const assembled = assemblePolicy({
      config: project.config,
      configFile: project.file,
      preset,
      subjects: subjects.map((s) => s.name),
      roles,
      db: project.db,
      extraIgnore: [],
    });
    return new CompiledPolicy(assembled.rules, [], subjects.length).creationAt(rel === '' ? '.' : rel.split(sep).join('/'));
  };
  return { project, roles, subjects, creationIn };
}

/**
 * Without a config: the nearest directory at or above `dir` where a framework's marker files are
 * (wp-config.php, artisan...), so `--in wp-content/uploads` gets WordPress's creation model.
 */
function frameworkAbove(dir: string | undefined): string | undefined {
  for (let at = dir; at !== undefined; at = dirname(at) === at ? undefined : dirname(at)) if (detectFramework(at)) return at;
  return undefined;
}

/** `explain --for web`: the role's umask from the config (unless one is given), its creations, who can use them. */
async function explainFor(name: string, umask: number | undefined, options: ExplainOptions, ctx: CommandContext): Promise<void> {
  const place = options.in === undefined ? undefined : placeOf(options.in);
  const { project, roles, subjects, creationIn } = projectOf(options, place?.path);
  const creator = roles.find((role) => role.name === name);
  if (!creator) throw new UsageError(`--for '${name}' is not a role here (known: ${roles.map((r) => r.name).join(', ')})`);
  const path = place ? creationIn(place.path) : undefined;
  const story = creationStory(creator, umask ?? creator.umask, subjects, place, path);
  if (options.json) {
    const entry = (i: Inode) => ({
      mode: formatOctal(i.mode),
      symbolic: symbolicMode(i.mode),
      owner: project.db.user(i.uid),
      group: project.db.group(i.gid),
    });
    const json = {
      role: name,
      user: creator.user,
      umask: formatOctal(story.umask),
      in: story.parent?.path ?? null,
      ...(story.how.length > 0 ? { how: story.how } : {}),
      file: entry(story.created.file),
      directory: entry(story.created.dir),
      others: Object.fromEntries(
        story.others.map((o) => [o.role.name, { can: o.can, cannot: o.cannot, ...(o.blockedBy ? { blockedBy: o.blockedBy } : {}) }]),
      ),
    };
    await ctx.out(JSON.stringify(json, null, 2) + '\n');
  } else {
    await ctx.out(renderCreationStory(story, project.db));
  }
  ctx.settle({});
}

/** The directory of --in, with the directories a role must search to reach its content. */
function placeOf(dir: string): Place {
  const resolved = lookUp(dir, process.cwd());
  if (resolved.target.type !== 'directory') throw new UsageError(`--in '${dir}' is not a directory`);
  const self = { path: resolved.resolved, inode: resolved.target };
  return { ...self, chain: [...resolved.chain, self] };
}

function umaskArgument(text: string): number {
  const parsed = parseUmask(text);
  if (!parsed.ok) throw new UsageError(`umask '${text}' ${parsed.reason}; expected ${UMASK_FORMS}`);
  return parsed.umask;
}

function requestedArgument(text: string): RequestedMode {
  const parsed = parseRequestedMode(text);
  if (!parsed.ok) throw new UsageError(`--mode '${text}' ${parsed.reason}`);
  return parsed.value;
}
