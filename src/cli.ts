import { Command, CommanderError } from 'commander';
import { paintFor, useColor } from './color.js';
import type { CommandContext } from './commands/context.js';
import { defineAccess } from './commands/access.js';
import { defineAudit } from './commands/audit.js';
import { defineExplain } from './commands/explain.js';
import { defineFix } from './commands/fix.js';
import { defineInit } from './commands/init.js';
import { defineRoles } from './commands/roles.js';
import { isUserError } from './errors.js';
import { printable } from './text/printable.js';
import { HOMEPAGE, VERSION } from './version.js';
import { EXIT_BUG, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, exitCode, type Outcome } from './exit-code.js';

export const ISSUES_URL = `${HOMEPAGE}/issues`;

/** The executable's entry point: parse, run one command, turn its outcome into an exit code. */
export async function main(argv: string[]): Promise<void> {
  let outcome: Outcome = {};
  let stdoutClosed = false;
  // `permcheck audit | head` closes the pipe early: stop quietly instead of dying on EPIPE.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') {
      stdoutClosed = true;
      process.exit(EXIT_OK);
    }
    throw error;
  });
  process.on('SIGINT', () => process.exit(EXIT_INTERRUPTED));

  const program = new Command('permcheck');
  let colorFlag = true;
  const ctx: CommandContext = {
    out: (text) =>
      new Promise((resolve) => {
        if (stdoutClosed || process.stdout.write(text)) resolve();
        else process.stdout.once('drain', resolve);
      }),
    err: (text) => void process.stderr.write(`${text.replace(/\n$/, '').split('\n').map(printable).join('\n')}\n`),
    paint: () => paintFor('stdout', useColor({ flag: colorFlag, env: process.env, isTTY: process.stdout.isTTY === true })),
    errPaint: () => paintFor('stderr', useColor({ flag: colorFlag, env: process.env, isTTY: process.stderr.isTTY === true })),
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
    .hook('preAction', (thisCommand) => {
      colorFlag = thisCommand.opts().color !== false;
    });

  defineAudit(program.command('audit'), ctx);
  defineFix(program.command('fix'), ctx);
  defineAccess(program.command('access'), ctx);
  defineExplain(program.command('explain'), ctx);
  defineInit(program.command('init'), ctx);
  defineRoles(program.command('roles'), ctx);

  try {
    await program.parseAsync(argv);
    process.exitCode = exitCode(outcome);
  } catch (error) {
    process.exitCode = failureCode(error);
  }
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
