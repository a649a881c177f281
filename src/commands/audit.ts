import { Option, type Command } from 'commander';
import { planAudit, type AuditOptions } from '../audit/plan.js';
import { runAudit } from '../audit/run.js';
import { FAIL_ON, type FailOn } from '../exit-code.js';
import { PRESET_NAMES } from '../policy/schema.js';
import { FORMATS, REPORTERS, type Format } from '../reporters/index.js';
import type { CommandContext } from './context.js';
import { Progress } from './progress.js';
import { addRoleOptions } from './role-options.js';

interface AuditCommandOptions extends AuditOptions {
  format: Format;
  failOn: FailOn;
  verbose?: boolean;
}

export function defineAudit(command: Command, ctx: CommandContext): void {
  addRoleOptions(
    command
      .description('audit the modes and owners of a project tree for the web, CLI and cron users')
      .argument('[dir]', 'the application root', '.')
      .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('text'))
      .addOption(new Option('--fail-on <severity>', 'exit 1 when findings reach this severity').choices(FAIL_ON).default('error'))
      .addOption(new Option('--preset <name>', 'policy preset (default: detected from the tree)').choices(PRESET_NAMES))
      .option('--umask <umask>', 'umask of roles that do not set one (default: config, magento_umask, preset, 0022)')
      .option('--ignore <glob>', 'leave matching entries out (repeatable)', collect, [])
      .option('--ignore-ancestors', "do not check the directories above the root (auditing a build artifact)")
      .option('--verbose', 'list info findings one by one in text output'),
  ).action(async (dir: string, options: AuditCommandOptions) => {
    const started = performance.now();
    const plan = planAudit(dir, options);
    const reporter = REPORTERS[options.format]({ paint: ctx.paint(), verbose: options.verbose === true });
    // Progress only for people watching a terminal, never in JSON.
    const progress = options.format === 'text' && ctx.stderrIsTTY ? new Progress((text) => process.stderr.write(text), started) : undefined;
    let pending = reporter.begin(plan.header);
    const result = await runAudit(plan, {
      finding: (finding) => {
        pending += reporter.finding(finding);
      },
      afterSlice: async (entries) => {
        progress?.update(entries);
        if (pending) {
          const chunk = pending;
          pending = '';
          await ctx.out(chunk);
        }
      },
    });
    progress?.clear();
    await ctx.out(pending + reporter.end({ ...result, elapsedMs: performance.now() - started }));
    ctx.settle({ counts: result, failOn: options.failOn });
  });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
