import { grouped } from '../text/grouped.js';
import type { Excepted, Finding } from '../rules/contract.js';
import { RULE_IDS, SEVERITIES, type Severity } from '../rules/ids.js';
import { RULES } from '../rules/index.js';
import { printable } from '../text/printable.js';
import type { ArtifactSummary, ReportHeader, Reporter, ReporterOptions, ReportSummary } from './reporter.js';
import { baselineLines, countsLine } from './summary.js';
import { wordList } from '../text/word-list.js';

const HEADINGS: Record<Severity, string> = { error: 'Errors', warning: 'Warnings', info: 'Info' };

/**
 * Findings listed per rule and severity; the rest are counted. A person does not read the 20,001st
 * line, and holding every finding of a planted tree for sorting would hold the heap too (JSON and
 * SARIF stream every finding).
 */
export const LISTED_PER_RULE = 200;

/** For people: a header, findings grouped by severity and rule, each with its fix, and a summary. */
export function textReporter({ paint, verbose }: ReporterOptions): Reporter {
  // Per severity and rule: the findings shown, and how many more there were.
  const held = new Map<string, { shown: Finding[]; more: number }>();
  const count = new Map<string, number>();
  const colour = (severity: Severity, text: string) =>
    severity === 'error' ? paint.red(text) : severity === 'warning' ? paint.yellow(text) : paint.cyan(text);
  return {
    begin(header: ReportHeader) {
      const width = Math.max(6, header.artifact?.kind.length ?? 0, ...header.roles.map((role) => role.name.length));
      const lines = [
        `${paint.bold('permcheck audit')} ${printable(header.root)}${header.resolvedRoot !== header.root ? ` (-> ${printable(header.resolvedRoot)})` : ''}`,
      ];
      if (header.artifact) lines.push(`  ${header.artifact.kind.padEnd(width)}  ${printable(artifactLine(header.artifact))}`);
      lines.push(`  ${'preset'.padEnd(width)}  ${header.preset ?? 'none'} (${header.presetSource})`);
      lines.push(
        `  ${'config'.padEnd(width)}  ${header.config.file === null ? 'none' : printable(header.config.file)} (${header.config.source})`,
      );
      for (const role of header.roles) {
        lines.push(
          `  ${role.name.padEnd(width)}  ${role.user} (uid ${role.uid}; groups ${role.groups.join(', ')}; ${role.origin}), umask ${role.umask} (${role.umaskOrigin})`,
        );
      }
      if (header.acl?.state === 'unknown') {
        lines.push(`  ${'acl'.padEnd(width)}  unknown: ${printable(header.acl.reason)}; entries are judged by their mode alone`);
      }
      if (header.runner.uid !== 0) {
        lines.push(
          `  ${'note'.padEnd(width)}  running as ${header.runner.user} (uid ${header.runner.uid}), not root: what it may not read is reported as walk-error, not audited`,
        );
      }
      for (const note of header.notes ?? []) lines.push(`  ${'note'.padEnd(width)}  ${printable(note)}`);
      return lines.join('\n') + '\n';
    },
    finding(finding: Finding) {
      const key = `${finding.severity}\0${finding.rule}`;
      const slot = held.get(key) ?? { shown: [], more: 0 };
      held.set(key, slot);
      if (slot.shown.length < LISTED_PER_RULE || (verbose && finding.severity !== 'info')) slot.shown.push(finding);
      else slot.more++;
      count.set(finding.severity, (count.get(finding.severity) ?? 0) + 1);
      return '';
    },
    end(summary: ReportSummary) {
      const lines: string[] = [];
      for (const severity of SEVERITIES) {
        const total = count.get(severity) ?? 0;
        if (total === 0) continue;
        lines.push('', paint.bold(colour(severity, `${HEADINGS[severity]} (${grouped(total)})`)));
        for (const rule of RULE_IDS) {
          const slot = held.get(`${severity}\0${rule}`);
          if (!slot) continue;
          const ofRule = slot.shown.length + slot.more;
          if (severity === 'info' && !verbose) {
            // Info is context, not a problem: counted per rule, listed with --verbose.
            lines.push(`  ${colour(severity, rule)}: ${sentenceInside(RULES[rule].title)} (${grouped(ofRule)}; --verbose lists them)`);
            continue;
          }
          lines.push(`  ${colour(severity, rule)}: ${sentenceInside(RULES[rule].title)} (${grouped(ofRule)})`);
          // Reported as soon as final (children before their directory); people read by path.
          const sorted = slot.shown.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
          let previous: Finding | undefined;
          for (const f of sorted) {
            const extent = f.entries > 1 ? paint.dim(`  (${extentOf(f)})`) : '';
            const head = `    ${paint.bold(printable(f.path))}${f.role ? `  [${f.role}]` : ''}${extent}`;
            // One finding a line-group, every one listed, so the counts above are what a person sees;
            // the same finding for another role (cli and cron are often one user) takes one line.
            if (previous?.role && f.role && sameButRole(previous, f)) {
              lines.push(`${head}${paint.dim(`  the same as for ${previous.role} above`)}`);
              continue;
            }
            previous = f;
            lines.push(head);
            lines.push(`      ${printable(f.message)}`);
            if (f.exceptions) lines.push(`      ${paint.dim('not:')} ${printable(exceptionsLine(f.exceptions, f.exceptionCount ?? 0))}`);
            if (f.fix) lines.push(`      ${paint.dim('fix:')} ${printable(f.fix)}`);
            if (f.advice) lines.push(`      ${paint.dim('advice:')} ${printable(f.advice)}`);
            if (f.noFix) lines.push(`      ${paint.dim('no fix:')} ${printable(f.noFix)}`);
          }
          if (slot.more > 0)
            lines.push(
              paint.dim(
                `    … and ${grouped(slot.more)} more (--format json lists every finding${severity === 'info' ? '' : '; --verbose lists them here'})`,
              ),
            );
        }
      }
      const pointers = [...held.values()].flatMap((slot) => slot.shown).filter((f) => f.fix?.startsWith(POINTER));
      if (pointers.length > 0) lines.push('', ...pointerNote(pointers[0]!.fix!).map((line) => paint.dim(printable(line))));
      const total = summary.errors + summary.warnings + summary.infos;
      if (summary.baseline) lines.push('', ...baselineLines(summary.baseline).map(printable));
      lines.push('', total === 0 ? paint.green(countsLine(summary)) : countsLine(summary));
      return lines.join('\n') + '\n';
    },
  };
}

const POINTER = 'permcheck fix ';

/**
 * Why some fixes are `permcheck fix` lines, and the line that applies them all: the pointer of one
 * finding without its --only (always its last argument).
 */
function pointerNote(pointer: string): string[] {
  const all = pointer.replace(/ --only (?:'[^']*'|\$'(?:[^'\\]|\\.)*'|\.)$/, '');
  return [
    'Fixes given as `permcheck fix` name a path through a directory that a user other than root, you or a',
    '--trust user can change, or will once the plan gives them write there: a pasted command could be turned',
    `to another file by then. permcheck fix checks each entry before it changes it. Every fix at once: ${all}`,
  ];
}

/** Exceptions listed at most this many; the rest are counted (JSON lists them all). */
const EXCEPTIONS_LISTED = 5;

/** "1,204 entries", or "1,204 of 1,210 entries" for an aggregate with exceptions. */
function extentOf(f: Finding): string {
  const all = f.entries + (f.exceptionCount ?? 0);
  return all > f.entries ? `${grouped(f.entries)} of ${grouped(all)} entries` : `${grouped(f.entries)} entries`;
}

/** "index.php, storage (16 entries) and 3 more entries": what lacks an aggregate's finding. */
function exceptionsLine(exceptions: readonly Excepted[], count: number): string {
  const shown = exceptions.slice(0, EXCEPTIONS_LISTED);
  const named = shown.map((e) => (e.entries > 1 ? `${e.path} (${grouped(e.entries)} entries)` : e.path));
  const more = count - shown.reduce((n, e) => n + e.entries, 0);
  if (more > 0) return `${named.join(', ')} and ${grouped(more)} more ${more === 1 ? 'entry' : 'entries'}`;
  return wordList(named);
}

/** Same rule, path, extent, fix and words, the role's own name aside. */
function sameButRole(a: Finding, b: Finding): boolean {
  const words = (f: Finding, text: string | undefined) => text?.replace(new RegExp(`\\b${f.role}\\b`, 'g'), '\0');
  return (
    a.path === b.path &&
    a.entries === b.entries &&
    a.exceptionCount === b.exceptionCount &&
    JSON.stringify(a.exceptions) === JSON.stringify(b.exceptions) &&
    a.fix === b.fix &&
    words(a, a.advice) === words(b, b.advice) &&
    words(a, a.noFix) === words(b, b.noFix) &&
    words(a, a.message) === words(b, b.message)
  );
}

/** "release.tar", "shop.tar (image shop:1.2, 3 layers, User www-data), root /var/www/html". */
function artifactLine(artifact: ArtifactSummary): string {
  if (artifact.kind === 'archive') return `${artifact.file}, root ${artifact.root}`;
  const about = [
    ...(artifact.ref ? [artifact.ref] : []),
    `${artifact.layers ?? 0} ${artifact.layers === 1 ? 'layer' : 'layers'}`,
    `User ${artifact.user ?? 'none (root)'}`,
  ];
  return `${artifact.file} (${about.join(', ')}), root ${artifact.root}`;
}

/** A title inside a line: its first letter lower case, the rest as written (PHP, ACL stay). */
function sentenceInside(title: string): string {
  return title.charAt(0).toLowerCase() + title.slice(1);
}
