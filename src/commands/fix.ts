import { grouped } from '../text/grouped.js';
import { createInterface } from 'node:readline/promises';
import { realpathSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { planAudit, type AuditOptions, type AuditPlan } from '../audit/plan.js';
import { runAudit } from '../audit/run.js';
import { changeCommands } from '../change/render.js';
import { UsageError } from '../errors.js';
import { applyChanges, type ApplyResult, type PlannedChange } from '../fix/apply.js';
import { readJournal, writeJournal } from '../fix/journal.js';
import { pathArgument } from '../fix/shell.js';
import { onlyArgument, onlyGlob } from '../audit/finding.js';
import { printable } from '../text/printable.js';
import { lookUp } from '../walk/lookup.js';
import { addPolicyOptions, fixInvocation, reportAudit } from './audit.js';
import type { CommandContext } from './context.js';

interface FixOptions extends AuditOptions {
  yes?: boolean;
  dryRun?: boolean;
  journal?: string;
  undo?: string;
}

/**
 * permcheck fix: the audit's plan, applied. Shown first; on a terminal it asks; elsewhere it needs
 * --yes; --dry-run prints it as a shell script. Changes go through checked descriptors only
 * (fix/apply.ts), after an undo journal is on disk; then the tree is audited again.
 */
export function defineFix(command: Command, ctx: CommandContext): void {
  addPolicyOptions(
    command
      .option('--yes', 'apply without asking (needed when not on a terminal)')
      .option('--dry-run', 'print the plan as a shell script and change nothing')
      .option('--journal <file>', 'where to write the undo journal (default: in the temp directory; never inside the tree)')
      .option('--undo <journal>', 'restore the owners, groups and modes a journal recorded, where nothing changed them since'),
    'the application root (a directory: fix changes no archive or image)',
  ).action(async (dir: string, options: FixOptions) => {
    if (options.undo !== undefined) return undo(dir, options, ctx);
    const started = performance.now();
    const plan = await planAudit(dir, { ...options, fixInvocation: (root) => fixInvocation(root, options) });
    const changes = await collectChanges(plan);
    const root = plan.start.entry.path;
    if (changes.length === 0) {
      await ctx.out(`nothing to change in ${printable(root)}: the plan holds no change of owner, group or mode\n`);
      return finalAudit(dir, options, ctx, started, { applied: 0, skipped: [], interrupted: false });
    }
    if (options.dryRun) {
      await writeLines(ctx, scriptLines(root, changes, plan));
      ctx.settle({});
      return;
    }
    // What fix is about to do, every command as it will be made (through descriptors), no script around it.
    const listing = function* () {
      yield `cd -- ${pathArgumentAbsolute(root)}`;
      for (const change of sorted(changes)) yield* commandsOf(change, plan);
    };
    await ctx.out(`${summaryOf(changes, root)}\n`);
    await writeLines(ctx, listing());
    if (!options.yes && !(await confirm(ctx, changes.length))) {
      if (!process.stdin.isTTY)
        throw new UsageError('fix changes the tree: pass --yes to apply the plan above, or --dry-run to only print it');
      await ctx.out('nothing changed\n');
      ctx.settle({});
      return;
    }
    const journal = journalPath(options.journal, root);
    writeJournal(
      journal,
      {
        permcheckUndo: 1,
        root,
        dev: plan.start.entry.dev,
        ino: plan.start.entry.ino,
        created: new Date().toISOString(),
        changes: changes.length,
      },
      changes,
    );
    await ctx.out(
      `undo journal: ${printable(journal)} (permcheck fix --undo ${pathArgumentAbsolute(journal)} ${pathArgumentAbsolute(root)})\n`,
    );
    const result = withInterrupt((stop) => applyChanges(openRoot(root, plan.start.entry), changes, stop));
    await finalAudit(dir, options, ctx, started, result);
  });
}

/** Run the audit once, single-threaded, gathering every change its plan makes. */
async function collectChanges(plan: AuditPlan): Promise<PlannedChange[]> {
  const changes: PlannedChange[] = [];
  await runAudit(plan, {
    finding: () => {},
    afterSlice: async () => {},
    planned: (entry, change, pathSafe) => {
      const before = {
        uid: entry.uid,
        gid: entry.gid,
        mode: entry.mode,
        ...(change.acl ? { acl: entry.acl } : {}),
        ...(change.defaultAcl ? { defaultAcl: entry.defaultAcl } : {}),
      };
      changes.push({
        rel: entry.rel,
        raw: entry.raw?.rel,
        dev: entry.dev,
        ino: entry.ino,
        type: entry.type,
        nlink: entry.nlink,
        pathSafe,
        before,
        after: {
          uid: change.uid ?? entry.uid,
          gid: change.gid ?? entry.gid,
          mode: change.mode ?? entry.mode,
          ...(change.acl ? { acl: change.acl } : {}),
          ...(change.defaultAcl ? { defaultAcl: change.defaultAcl } : {}),
        },
      });
    },
  });
  return changes;
}

/**
 * The plan as a shell script, run from the audited directory: set -e, then one command a line. A path
 * someone untrusted can change could lead a command elsewhere by the time the script runs (chown -h and
 * chmod follow a symlinked directory on the way): such an entry's commands are shown as comments, and
 * one `permcheck fix --only …` line at the end applies them all, checking each descriptor, as the
 * audit's fix lines do (one audit, not one per entry). Lines, not one string: a tree can be deep enough
 * that its script would not fit in one.
 */
function* scriptLines(root: string, changes: readonly PlannedChange[], plan: AuditPlan): Generator<string> {
  const invocation = plan.settings.fixInvocation;
  const widest = widestOnly(changes);
  const pointed = invocation !== undefined && changes.some((change) => change.pathSafe === false);
  // bash: a name that is not plain text is quoted $'…', which sh (dash) reads otherwise, ending the quote
  // early and running the rest of the name as commands. Under sh the guard stops it before such a line.
  yield '#!/bin/bash';
  yield `[ -n "\${BASH_VERSION:-}" ] || { echo 'run this script with bash' >&2; exit 2; }`;
  // Checked before the first change, not found missing halfway (npx installs put it in node_modules/.bin).
  if (pointed)
    yield `command -v permcheck > /dev/null || { echo 'put permcheck on the PATH to run this script (npx: node_modules/.bin)' >&2; exit 2; }`;
  yield 'set -e';
  yield `cd -- ${pathArgumentAbsolute(root)}`;
  const only: string[] = [];
  for (const change of sorted(changes)) {
    if (!pointed || change.pathSafe !== false) {
      yield* commandsOf(change, plan);
      continue;
    }
    // No glob says it: the whole tree's plan, which holds this change too.
    const glob = widest(change) ?? WHOLE_TREE;
    if (only.length === 0) {
      yield '# A commented command names a path through a directory someone besides root, you and the --trust';
      yield '# users can change, or will once the plan gives them write there: the permcheck fix line at the end';
      yield '# makes these changes through checked descriptors.';
    }
    if (!only.includes(glob)) only.push(glob);
    for (const command of commandsOf(change, plan)) yield `# ${command}`;
  }
  if (only.length === 0) return;
  yield '# Exit code 1 only says findings remain (its report names them): the script has done its part.';
  if (only.includes(WHOLE_TREE)) {
    yield `${invocation} || [ $? -eq 1 ]`;
    return;
  }
  yield `${invocation} \\`;
  for (const [i, glob] of only.entries()) yield `  --only ${onlyArgument(glob)}${i < only.length - 1 ? ' \\' : ' || [ $? -eq 1 ]'}`;
}

const WHOLE_TREE = '';

/** Lines out in pieces of about a megabyte, each escaped for the terminal. */
async function writeLines(ctx: CommandContext, lines: Iterable<string>): Promise<void> {
  let pending = '';
  for (const line of lines) {
    pending += `${printable(line)}\n`;
    if (pending.length > 1 << 20) {
      await ctx.out(pending);
      pending = '';
    }
  }
  if (pending) await ctx.out(pending);
}

/**
 * The --only glob that takes a change made through permcheck fix: its highest directory below the root
 * whose changes below it are all such (`wp-content/uploads/**`: the same changes as naming each entry,
 * in one line the audit's fix lines also use), else the entry itself.
 */
function widestOnly(changes: readonly PlannedChange[]): (change: PlannedChange) => string | undefined {
  const safeBelow = new Set<string>();
  for (const change of changes) {
    if (change.pathSafe === false) continue;
    for (let at = change.rel.lastIndexOf('/'); at > 0; at = change.rel.lastIndexOf('/', at - 1)) safeBelow.add(change.rel.slice(0, at));
  }
  return (change) => {
    for (let at = change.rel.indexOf('/'); at > 0; at = change.rel.indexOf('/', at + 1)) {
      const dir = change.rel.slice(0, at);
      if (!safeBelow.has(dir)) return onlyGlob({ rel: dir, raw: change.raw }, true);
    }
    return onlyGlob(change, false);
  };
}

const sorted = (changes: readonly PlannedChange[]) => [...changes].sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));

function commandsOf(change: PlannedChange, plan: AuditPlan): string[] {
  const delta = {
    ...(change.after.uid !== change.before.uid ? { uid: change.after.uid } : {}),
    ...(change.after.gid !== change.before.gid ? { gid: change.after.gid } : {}),
    mode: change.after.mode,
    ...(change.after.acl ? { acl: change.after.acl } : {}),
    ...(change.after.defaultAcl ? { defaultAcl: change.after.defaultAcl } : {}),
  };
  return changeCommands({ rel: change.rel, raw: change.raw }, delta, plan.db);
}

function summaryOf(changes: readonly PlannedChange[], root: string): string {
  return `permcheck fix ${printable(root)}: ${grouped(changes.length)} ${changes.length === 1 ? 'entry changes' : 'entries change'}:`;
}

function pathArgumentAbsolute(path: string): string {
  return pathArgument(path.startsWith('/') ? path : resolve(path));
}

async function confirm(ctx: CommandContext, count: number): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) return false;
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await prompt.question(count === 1 ? 'Apply this change? [y/N] ' : `Apply these ${grouped(count)} changes? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
    void ctx;
  }
}

/** The journal goes outside the audited tree: the tree's users could otherwise rewrite it. */
function journalPath(given: string | undefined, root: string): string {
  const file =
    given !== undefined
      ? resolve(given)
      : // A random part: a name someone could guess and plant first would stop the fix (it is created exclusively).
        join(
          tmpdir(),
          `permcheck-undo-${basename(root) || 'root'}-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(6).toString('hex')}.jsonl`,
        );
  const dir = realpathSync(dirname(file));
  const realRoot = realpathSync(root);
  if (dir === realRoot || dir.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep)) {
    throw new UsageError(`the undo journal ${file} would be inside the tree it records; give --journal a file elsewhere`);
  }
  return file;
}

/** The root again, opened and checked: it must be the directory the plan was made for. */
function openRoot(root: string, seen: { dev: number; ino: number }): number {
  const found = lookUp(root, '/', { keepTargetOpen: true });
  if (found.fd === undefined || found.dev !== seen.dev || found.ino !== seen.ino) {
    throw new UsageError(`${root} changed since the plan was made: nothing changed; run permcheck fix again`);
  }
  return found.fd;
}

/** Ctrl-C stops between two entries (the journal is already complete), then exits 130. */
function withInterrupt(run: (stop: () => boolean) => ApplyResult): ApplyResult {
  let stopped = false;
  const listeners = process.listeners('SIGINT');
  process.removeAllListeners('SIGINT');
  const onInterrupt = () => {
    stopped = true;
  };
  process.on('SIGINT', onInterrupt);
  try {
    return run(() => stopped);
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    for (const listener of listeners) process.on('SIGINT', listener as () => void);
  }
}

/** After applying: what was skipped and why, then the audit of the tree as it is now. */
async function finalAudit(dir: string, options: FixOptions, ctx: CommandContext, started: number, result: ApplyResult): Promise<void> {
  const lines: string[] = [];
  if (result.applied > 0) lines.push(`applied ${grouped(result.applied)} ${result.applied === 1 ? 'change' : 'changes'}`);
  for (const skipped of result.skipped) lines.push(`skipped ${skipped.rel}: it ${skipped.reason}`);
  if (result.interrupted) lines.push('interrupted: the rest of the plan was not applied; the undo journal covers all of it');
  if (lines.length) await ctx.out(`${lines.map(printable).join('\n')}\n\n`);
  if (result.interrupted) {
    ctx.settle({ interrupted: true });
    return;
  }
  const counts = await reportAudit(await planAudit(dir, options), { format: 'text' }, ctx, started, undefined);
  // Something changed under the fix: the result is not what was planned, and the exit code says so.
  ctx.settle({ counts: { ...counts, races: counts.races + result.skipped.length } });
}

async function undo(dir: string, options: FixOptions, ctx: CommandContext): Promise<void> {
  const plan = await planAudit(dir, options);
  const { header, changes } = readJournal(resolve(options.undo!), plan.trust, plan.db);
  const root = plan.start.entry.path;
  if (header.dev !== plan.start.entry.dev || header.ino !== plan.start.entry.ino) {
    throw new UsageError(`the undo journal ${options.undo} is for ${header.root}, not for ${root}`);
  }
  if (!options.yes && !(await confirm(ctx, changes.length))) {
    if (!process.stdin.isTTY) throw new UsageError('fix --undo changes the tree: pass --yes to restore it');
    ctx.settle({});
    return;
  }
  const result = withInterrupt((stop) => applyChanges(openRoot(root, plan.start.entry), changes, stop, 'after'));
  const lines = [`restored ${grouped(result.applied)} of ${grouped(changes.length)} entries`];
  for (const skipped of result.skipped) lines.push(`skipped ${skipped.rel}: it ${skipped.reason}`);
  await ctx.out(`${lines.map(printable).join('\n')}\n`);
  ctx.settle(result.interrupted ? { interrupted: true } : { counts: { errors: 0, warnings: 0, infos: 0, races: result.skipped.length } });
}
