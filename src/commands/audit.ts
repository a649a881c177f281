import { Option, type Command } from 'commander';
import { availableParallelism } from 'node:os';
import { runParallel } from '../audit/parallel.js';
import { Pool } from '../audit/pool.js';
import { planAudit, type AuditOptions, type AuditPlan } from '../audit/plan.js';
import { countFinding, runAudit, type AuditHooks, type AuditResult } from '../audit/run.js';
import { isArtifact } from '../archive/detect.js';
import type { ArtifactOptions, ArtifactPlan } from '../archive/plan.js';
import { BaselineFilter, baselineEntry, baselineOf, type BaselineEntry } from '../baseline/baseline.js';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { shellQuote } from '../fix/shell.js';
import { RULE_IDS } from '../rules/ids.js';
import { RULES } from '../rules/index.js';
import { FAIL_ON, type FailOn, type SeverityCounts } from '../exit-code.js';
import { PRESET_NAMES } from '../policy/preset-names.js';
import { FORMATS, REPORTERS, type Format } from '../reporters/index.js';
import { startAuditScan } from '../audit/scan.js';
import type { CommandContext } from './context.js';
import { Progress } from './progress.js';
import { repeatable } from './repeatable.js';
import { addRoleOptions } from './role-options.js';

interface AuditCommandOptions extends ArtifactOptions {
  format: Format;
  failOn: FailOn;
  verbose?: boolean;
  jobs: number;
  baseline?: string;
  writeBaseline?: string;
  githubRoot?: string;
}

/** How findings are reported beyond the format: a baseline to hold them against, one to write, the repository for annotations. */
export interface ReportOptions {
  format: Format;
  verbose?: boolean | undefined;
  baseline?: BaselineFilter | undefined;
  writeBaseline?: string | undefined;
  githubRoot?: string | undefined;
  /** Threads the walk may use; the PHP scan takes up to two of them. */
  jobs?: number | undefined;
}

/** The options that decide the policy and its scope: shared by audit and fix, so both see the same plan. */
export function addPolicyOptions(command: Command, dir: string): Command {
  return addRoleOptions(
    command
      .argument('[dir]', dir, '.')
      .addOption(new Option('--preset <name>', 'policy preset (default: detected from the tree)').choices(PRESET_NAMES))
      .option('--umask <umask>', 'umask of roles that do not set one (default: config, magento_umask, preset, 0022)')
      .option('--ignore <glob>', 'leave matching entries out (repeatable)', repeatable)
      .option('--only <glob>', 'report only matching entries, such as var/** (repeatable); the rest is not walked', repeatable)
      .option('--ignore-ancestors', 'do not check the directories above the root (auditing a build artifact)'),
  );
}

export function defineAudit(command: Command, ctx: CommandContext): void {
  addPolicyOptions(
    command
      .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('text'))
      .addOption(new Option('--fail-on <severity>', 'exit 1 when findings reach this severity').choices(FAIL_ON).default('error'))
      .option('--verbose', 'list info findings one by one in text output')
      .addOption(
        new Option('--jobs <n>', 'threads that walk the tree, started once it has a few thousand entries (1: no worker threads)')
          .argParser(jobsArgument)
          .default(defaultJobs(), "the machine's cores, up to 4"),
      )
      .option(
        '--image-root <dir>',
        "the application's directory inside a container image (docker save archive, OCI layout), such as /var/www/html",
      )
      .option('--image-ref <name>', 'which image, when the archive or layout holds several')
      .option('--baseline <file>', 'report only findings not in this baseline; the exit code counts only those')
      .option('--write-baseline <file>', "record this run's findings as the baseline (exit code 0 unless the tree changed)")
      .option(
        '--github-root <dir>',
        'the repository root, for --format github annotations (default: GITHUB_WORKSPACE, else the current directory)',
      )
      .addHelpText('after', rulesHelp),
    'the application root, or an archive (.tar, .tar.gz, .tar.zst; - reads stdin) or a container image',
  ).action(async (dir: string, options: AuditCommandOptions) => {
    const started = performance.now();
    // What only some audits need loads only for them: the baseline's schema (zod), the archive readers.
    const baseline =
      options.baseline === undefined
        ? undefined
        : new BaselineFilter(options.baseline, (await import('../baseline/file.js')).readBaseline(options.baseline));
    const artifact = isArtifact(dir, options);
    // An archive's tree is in memory and audited on this thread; a tree on disk starts threads once
    // it proves big enough to pay for them (pool.ts).
    const pool = options.jobs > 1 && !artifact ? new Pool(options.jobs, threadsAfter()) : undefined;
    try {
      const plan = artifact
        ? await (await import('../archive/plan.js')).planArtifactAudit(dir, options)
        : await planAudit(dir, { ...options, fixInvocation: (root) => fixInvocation(root, options) });
      const githubRoot = resolve(options.githubRoot ?? process.env.GITHUB_WORKSPACE ?? '.');
      const result = await reportAudit(plan, { ...options, baseline, githubRoot }, ctx, started, pool);
      // Writing a baseline accepts what it records.
      ctx.settle({ counts: result, failOn: options.writeBaseline !== undefined ? 'never' : options.failOn });
    } finally {
      await pool?.close();
    }
  });
}

/**
 * How to run `permcheck fix` with the options of this audit, for findings whose fix is too long or
 * unsafe to print as shell commands.
 */
export function fixInvocation(dir: string, options: AuditOptions & { discover?: boolean }): string {
  const parts = ['permcheck', 'fix', shellQuote(resolve(dir))];
  const value = (flag: string, v: string | undefined) => (v === undefined ? [] : [flag, shellQuote(v)]);
  parts.push(
    ...value('--config', options.config === undefined ? undefined : resolve(options.config)),
    ...value('--preset', options.preset),
    ...value('--umask', options.umask),
    ...value('--web-user', options.webUser),
    ...value('--cli-user', options.cliUser),
    ...value('--cron-user', options.cronUser),
    ...value('--passwd', options.passwd === undefined ? undefined : resolve(options.passwd)),
    ...value('--group', options.group === undefined ? undefined : resolve(options.group)),
    ...(options.trust ?? []).flatMap((user) => ['--trust', shellQuote(user)]),
    ...(options.ignore ?? []).flatMap((glob) => ['--ignore', shellQuote(glob)]),
    ...(options.discover === false ? ['--no-discover'] : []),
    ...(options.ignoreAncestors ? ['--ignore-ancestors'] : []),
    '--yes',
  );
  return parts.join(' ');
}

/**
 * Run a planned audit and report it in the chosen format; the result counts the findings reported
 * (with a baseline: only the new ones).
 */
export async function reportAudit(
  plan: AuditPlan | ArtifactPlan,
  options: ReportOptions,
  ctx: CommandContext,
  started: number,
  pool: Pool | undefined,
): Promise<AuditResult> {
  // The scan for modes hard-coded in PHP reads the tree beside the walk (off with "hardcoded-mode": "off").
  // An archive's files are not read: the scan is for trees on disk.
  const scan = 'tree' in plan ? undefined : startAuditScan(plan);
  const reporter = REPORTERS[options.format]({ paint: ctx.paint(), verbose: options.verbose === true, githubRoot: options.githubRoot });
  const filter = options.baseline;
  const recorded: BaselineEntry[] | undefined = options.writeBaseline === undefined ? undefined : [];
  const shown: SeverityCounts = { errors: 0, warnings: 0, infos: 0, races: 0 };
  // Progress only for people watching a terminal, never in JSON.
  const progress = options.format === 'text' && ctx.stderrIsTTY ? new Progress((text) => process.stderr.write(text), started) : undefined;
  // The header at once: whoever waits sees what is being audited, and how.
  await ctx.out(reporter.begin(plan.header));
  let pending = '';
  const hooks: AuditHooks = {
    finding: (finding) => {
      recorded?.push(baselineEntry(finding));
      if (filter?.accepts(finding)) return;
      countFinding(shown, finding);
      pending += reporter.finding(finding);
    },
    serialized: async (json) => {
      const before = pending + reporter.serializedFinding!();
      pending = '';
      await ctx.out(before);
      await ctx.out(json);
    },
    afterSlice: async (entries) => {
      progress?.update(entries);
      if (pending) {
        const chunk = pending;
        pending = '';
        await ctx.out(chunk);
      }
    },
  };
  // Findings that must be looked at here (against a baseline, or to record one) come from the
  // workers as objects (a format they do not serialize), not as JSON bytes.
  const workerFormat: Format = filter || recorded ? 'text' : options.format;
  const result =
    'tree' in plan
      ? await (await import('../archive/run.js')).runArtifactAudit(plan, hooks)
      : pool
        ? await runParallel(plan, hooks, pool, workerFormat)
        : await runAudit(plan, hooks);
  await scan?.report(hooks, result);
  progress?.clear();
  if (recorded) (await import('../baseline/file.js')).writeBaseline(options.writeBaseline!, baselineOf(recorded));
  const counted: AuditResult = filter ? { ...result, ...shown, races: result.races } : result;
  await ctx.out(pending + reporter.end({ ...counted, elapsedMs: performance.now() - started, baseline: filter?.outcome() }));
  return counted;
}

/**
 * PERMCHECK_THREADS_AFTER: entries walked on the main thread before worker threads start, whatever
 * the tree's shape; 0 starts them for any tree, which the tests of the threaded walk use. Unset: the
 * pool's own rule (pool.ts).
 */
function threadsAfter(): number | undefined {
  const value = process.env.PERMCHECK_THREADS_AFTER;
  if (value === undefined || value === '') return undefined;
  const entries = Number(value);
  if (!Number.isInteger(entries) || entries < 0)
    throw new UsageError(`PERMCHECK_THREADS_AFTER '${value}' must be a whole number of entries`);
  return entries;
}

/** Both cores of a small CI box; past a few threads the disk, not the CPU, is the limit. */
function defaultJobs(): number {
  return Math.max(1, Math.min(availableParallelism(), 4));
}

function jobsArgument(value: string): number {
  const jobs = Number(value);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) throw new UsageError(`--jobs '${value}' must be a whole number from 1 to 64`);
  return jobs;
}

/** The rules, from the same table that feeds the reporters: id, default severity, what breaks. */
function rulesHelp(): string {
  const width = Math.max(...RULE_IDS.map((id) => id.length));
  const lines = RULE_IDS.map((id) => `  ${id.padEnd(width)}  ${RULES[id].defaultSeverity.padEnd(7)}  ${RULES[id].title}`);
  return `\nRules (severity by default; set them under "rules" in the config; docs/rules.md explains each):\n${lines.join('\n')}\n\nExit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 bad input.`;
}
