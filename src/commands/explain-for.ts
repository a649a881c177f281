import { dirname } from 'node:path';
import { UsageError } from '../errors.js';
import { creationStory, creationStoryJson, renderCreationStory, type Place } from '../predict/story.js';
import { bindProjectRoles, loadProject } from '../project/setup.js';
import { subjectsOf } from '../roles/subject.js';
import { lookUp } from '../walk/lookup.js';
import type { CommandContext } from './context.js';
import type { ExplainOptions } from './explain.js';

/** `explain --for web`: the role's umask from the config (unless one is given), its creations, who can use them. */
export async function explainFor(name: string, umask: number | undefined, options: ExplainOptions, ctx: CommandContext): Promise<void> {
  const place = options.in === undefined ? undefined : placeOf(options.in);
  // The project: where the config is (searched upwards), else the current directory, as for access.
  const project = loadProject(options, place?.path ?? process.cwd(), true);
  const root = project.file ? dirname(project.file) : process.cwd();
  const { roles } = bindProjectRoles(project, options, root);
  const creator = roles.find((role) => role.name === name);
  if (!creator) throw new UsageError(`--for '${name}' is not a role here (known: ${roles.map((r) => r.name).join(', ')})`);
  const story = creationStory(creator, umask ?? creator.umask, subjectsOf(roles), place);
  await ctx.out(
    options.json ? JSON.stringify(creationStoryJson(story, project.db), null, 2) + '\n' : renderCreationStory(story, project.db),
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
