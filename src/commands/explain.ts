import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { explainUmask, type CreationPlace } from '../explain/explain.js';
import { explanationJson, renderExplanationText } from '../explain/render.js';
import { parseRequestedMode, type RequestedMode } from '../explain/requested.js';
import { parseUmask, UMASK_FORMS } from '../mode/umask.js';
import { currentUmask } from '../system/current-umask.js';
import type { CommandContext } from './context.js';
import type { RoleOptions } from '../project/setup.js';
import { repeatable } from './repeatable.js';
import { addRoleOptions } from './role-options.js';

export interface ExplainOptions extends RoleOptions {
  mode?: string[];
  json?: boolean;
  for?: string;
  in?: string;
}

export function defineExplain(command: Command, ctx: CommandContext): void {
  command
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
    // Only --for needs the project (config, users, the host's roles): loaded only then.
    if (options.for !== undefined) {
      const { explainFor } = await import('./explain-for.js');
      return explainFor(options.for, umaskArg === undefined ? undefined : umaskArgument(umaskArg), options, ctx);
    }
    const umask = umaskArg === undefined ? currentUmask() : umaskArgument(umaskArg);
    const custom = (options.mode ?? []).map(requestedArgument);
    let place: CreationPlace | undefined;
    if (options.in !== undefined) {
      const { creationPlace } = await import('./explain-for.js');
      place = await creationPlace(options, options.in);
    }
    const explanation = explainUmask(umask, custom, place);
    const text = options.json
      ? JSON.stringify(explanationJson(explanation), null, 2) + '\n'
      : renderExplanationText(explanation, umaskArg === undefined ? 'the current umask' : '', ctx.paint());
    await ctx.out(text);
    ctx.settle({});
  });
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
