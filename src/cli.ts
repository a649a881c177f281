import { Command, CommanderError, Help } from 'commander';
import { paintFor, useColor } from './color.js';
import { plain, type Paint } from './paint.js';
import type { CommandContext } from './commands/context.js';
import { COMMANDS } from './commands/index.js';
import { isUserError } from './errors.js';
import { printable } from './text/printable.js';
import { HOMEPAGE, VERSION } from './version.js';
import { EXIT_BUG, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, exitCode, type Outcome } from './exit-code.js';

export const ISSUES_URL = `${HOMEPAGE}/issues`;

/** The executable's entry point: parse, run one command, turn its outcome into an exit code. */
export async function main(argv: string[]): Promise<void> {
  let outcome: Outcome = {};
  let stdoutClosed = false;
  const draining: (() => void)[] = [];
  // `permcheck audit | head` closes the pipe early: write nothing more, but finish, so the exit code
  // still says what the audit found (`set -o pipefail` in CI sees it), instead of dying on EPIPE.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    stdoutClosed = true;
    for (const resolve of draining.splice(0)) resolve();
  });
  process.on('SIGINT', () => process.exit(EXIT_INTERRUPTED));

  const program = new Command('permcheck');
  // Plain until a command is about to run: only then is it known whether --no-color was given.
  const paints: Record<'stdout' | 'stderr', Paint> = { stdout: plain, stderr: plain };
  const ctx: CommandContext = {
    out: (text) =>
      new Promise((resolve) => {
        if (stdoutClosed || process.stdout.write(text)) resolve();
        else {
          draining.push(resolve);
          process.stdout.once('drain', () => {
            const at = draining.indexOf(resolve);
            if (at >= 0) draining.splice(at, 1);
            resolve();
          });
        }
      }),
    err: (text) => void process.stderr.write(`${text.replace(/\n$/, '').split('\n').map(printable).join('\n')}\n`),
    paint: () => paints.stdout,
    errPaint: () => paints.stderr,
    stderrIsTTY: process.stderr.isTTY === true,
    settle: (result) => {
      outcome = result;
    },
  };

  program
    .description('Audit file modes and owners of a web application for the web, CLI and cron users.')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--no-color', 'no colours (also when NO_COLOR is set or output is not a terminal)')
    .exitOverride()
    .configureOutput({ outputError: (message, write) => write(`permcheck: ${message.replace(/^error: /, '')}`) })
    .configureHelp({ subcommandTerm: (command) => commandTerm(command) })
    .hook('preAction', async (thisCommand) => {
      const flag = thisCommand.opts().color !== false;
      for (const stream of ['stdout', 'stderr'] as const) {
        paints[stream] = await paintFor(stream, useColor({ flag, env: process.env, isTTY: process[stream].isTTY === true }));
      }
    });

  // Each command is named and described here; the rest of it is loaded only when it is about to run.
  const loaded = new Set<string>();
  const complete = async (command: Command) => {
    const entry = COMMANDS[command.name()];
    if (entry === undefined || loaded.has(command.name())) return;
    loaded.add(command.name());
    (await entry.load())(command, ctx);
  };
  for (const [name, entry] of Object.entries(COMMANDS)) program.command(name).description(entry.description);
  program.hook('preSubcommand', (_program, command) => complete(command));

  try {
    // `permcheck help audit` prints audit's help without running it, so no hook fires: load it first.
    const topic = helpTopic(argv.slice(2));
    const asked = program.commands.find((command) => command.name() === topic);
    if (asked) await complete(asked);
    await program.parseAsync(argv);
    process.exitCode = exitCode(outcome);
  } catch (error) {
    process.exitCode = failureCode(error);
  }
}

/** A command as `permcheck --help` lists it, from the table, without loading the command. */
function commandTerm(command: Command): string {
  const entry = COMMANDS[command.name()];
  return entry ? `${command.name()} ${entry.usage}` : new Help().subcommandTerm(command);
}

/**
 * The command named by `permcheck help NAME`, if that is what the arguments say. The program's own
 * options take no values, so the operands are the arguments that do not start with a dash.
 */
export function helpTopic(args: readonly string[]): string | undefined {
  const operands = args.filter((arg) => !arg.startsWith('-'));
  return operands[0] === 'help' ? operands[1] : undefined;
}

/** The exit code for what escaped a command, after telling the user on stderr. */
export function failureCode(error: unknown, write: (text: string) => void = (text) => void process.stderr.write(text)): number {
  if (error instanceof CommanderError) {
    // Help and --version end through exitOverride too; everything else is a usage mistake.
    return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (isUserError(error)) {
    // A message may quote names and values from the tree: each line is shown escaped.
    write(`permcheck: ${error.message.split('\n').map(printable).join('\n')}\n`);
    return EXIT_USAGE;
  }
  const stack = error instanceof Error ? (error.stack ?? String(error)) : String(error);
  write(`permcheck: internal error, this is a bug; please report it with this output at ${ISSUES_URL}\n${stack}\n`);
  return EXIT_BUG;
}
