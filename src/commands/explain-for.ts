import { dirname, isAbsolute, relative, sep } from 'node:path';
import { UsageError } from '../errors.js';
import { provenanceOf, renderProvenance } from '../access/render-text.js';
import { rolesByName } from '../roles/json.js';
import { jsonForLogs } from '../text/printable.js';
import type { CreationPlace } from '../explain/explain.js';
import { assemblePolicy } from '../policy/assemble.js';
import { CompiledPolicy } from '../policy/compile.js';
import type { PathCreation } from '../predict/model.js';
import { creationStory, creationStoryJson, renderCreationStory, type Place } from '../explain/story.js';
import { frameworkAbove } from '../project/framework.js';
import { bindProjectRoles, loadProject } from '../project/setup.js';
import { subjectsOf } from '../roles/subject.js';
import { lookUp } from '../walk/lookup.js';
import type { CommandContext } from './context.js';
import type { ExplainOptions } from './explain.js';

/**
 * What needs the project (config, users, the host's roles, the policy's creation models): loaded only
 * for `explain --for` and `explain --in`, so `explain 027` starts fast.
 */

/**
 * The project a path belongs to: where the config is (searched upwards from it), else the nearest
 * framework above it, else the current directory, as for access; its roles, and what its policy says
 * of creations in a directory.
 */
async function projectOf(options: ExplainOptions, from: string | undefined) {
  const project = await loadProject(options, from ?? process.cwd(), true);
  const framework = project.file ? undefined : frameworkAbove(from, project.trust, project.choice.notes, project.local);
  const root = project.file ? dirname(project.file) : (framework ?? process.cwd());
  const provenance = provenanceOf(project, root, from ?? process.cwd(), framework);
  const { roles, preset } = bindProjectRoles(project, options, root);
  const subjects = subjectsOf(roles);
  const creationIn = (dir: string): PathCreation | undefined => {
    const rel = relative(root, dir);
    // A directory outside the project: its policy says nothing there.
    if (rel.startsWith('..') || isAbsolute(rel)) return undefined;
    const assembled = assemblePolicy({
      config: project.config,
      configFile: project.file,
      preset: preset.preset,
      subjects: subjects.map((s) => s.name),
      roles,
      db: project.db,
      extraIgnore: [],
    });
    return new CompiledPolicy(assembled.rules, [], subjects.length).creationAt(rel === '' ? '.' : rel.split(sep).join('/'));
  };
  return { project, provenance, roles, subjects, creationIn };
}

/** `explain --in DIR` without --for: the directory and how the config or preset says code creates there. */
export async function creationPlace(options: ExplainOptions, dir: string): Promise<CreationPlace> {
  const { path, inode } = placeOf(dir);
  return { path, inode, create: (await projectOf(options, path)).creationIn(path) };
}

/** `explain --for web`: the role's umask from the config (unless one is given), its creations, who can use them. */
export async function explainFor(name: string, umask: number | undefined, options: ExplainOptions, ctx: CommandContext): Promise<void> {
  const place = options.in === undefined ? undefined : placeOf(options.in);
  const { project, provenance, roles, subjects, creationIn } = await projectOf(options, place?.path);
  const creator = roles.find((role) => role.name === name);
  if (!creator) throw new UsageError(`--for '${name}' is not a role here (known: ${roles.map((r) => r.name).join(', ')})`);
  const path = place ? creationIn(place.path) : undefined;
  const story = creationStory(creator, umask ?? creator.umask, subjects, place, path);
  // Where the role's user and umask came from, as access and the audit header say it.
  const json = { project: provenance, roles: rolesByName(roles), ...creationStoryJson(story, project.db) };
  await ctx.out(
    options.json
      ? jsonForLogs(JSON.stringify(json, null, 2)) + '\n'
      : `${renderProvenance(provenance, roles, ctx.paint(), { umask: true })}\n${renderCreationStory(story, project.db)}`,
  );
  ctx.settle({});
}

/** The directory of --in, with the directories a role must search to reach its content. */
function placeOf(dir: string): Place {
  const resolved = lookUp(dir, process.cwd());
  if (resolved.target.type !== 'directory') throw new UsageError(`--in '${dir}' is not a directory`);
  const self = { path: resolved.resolved, inode: resolved.target };
  return { ...self, chain: [...resolved.chain, self] };
}
