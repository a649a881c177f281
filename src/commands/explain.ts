import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { explainUmask } from '../explain/explain.js';
import { explanationJson, renderExplanationText } from '../explain/render.js';
import { parseRequestedMode, type RequestedMode } from '../explain/requested.js';
import { parseUmask, UMASK_FORMS } from '../mode/umask.js';
import { currentUmask } from '../system/current-umask.js';
import type { CommandContext } from './context.js';

interface ExplainOptions {
  mode: string[];
  json?: boolean;
}

export function defineExplain(command: Command, ctx: CommandContext): void {
  command
    .description('show what a umask does to new files and directories, and who may then use them')
    .argument('[umask]', 'octal (027, 0027, 0o027) or symbolic (u=rwx,g=rx,o=); default: the current umask')
    .option('--mode <octal>', 'also show a mode that code requests, e.g. 0775 for mkdir($dir, 0775) (repeatable; prefix file: or dir:)', collect, [])
    .option('--json', 'print one JSON object')
    .action(async (umaskArg: string | undefined, options: ExplainOptions) => {
      const umask = umaskArg === undefined ? currentUmask() : umaskArgument(umaskArg);
      const custom = options.mode.map(requestedArgument);
      const explanation = explainUmask(umask, custom);
      const text = options.json
        ? JSON.stringify(explanationJson(explanation), null, 2) + '\n'
        : renderExplanationText(explanation, umaskArg === undefined ? 'the current umask' : '', ctx.paint());
      await ctx.out(text);
      ctx.settle({});
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
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
