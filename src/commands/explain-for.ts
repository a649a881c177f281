import { dirname } from 'node:path';
import type { Inode } from '../access/types.js';
import { UsageError } from '../errors.js';
import { formatOctal, symbolicMode } from '../mode/bits.js';
import { creationStory, renderCreationStory, type Place } from '../predict/story.js';
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
