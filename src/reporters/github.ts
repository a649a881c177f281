import { isAbsolute, join, relative } from 'node:path';
import type { Finding } from '../rules/contract.js';
import type { Severity } from '../rules/ids.js';
import { printable } from '../text/printable.js';
import type { ReportHeader, Reporter, ReporterOptions, ReportSummary } from './reporter.js';
import { baselineLines, countsLine } from './summary.js';

const COMMAND: Record<Severity, 'error' | 'warning' | 'notice'> = { error: 'error', warning: 'warning', info: 'notice' };

/**
 * A workflow command's message: GitHub's runner unescapes %25, %0D and %0A (toCommandValue in
 * @actions/core). What could be read as a command of its own ('##[' anywhere in a line, control
 * characters) is shown escaped first, as in every other output.
 */
export function escapeData(text: string): string {
  return printable(text).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A workflow command's property value: as a message, and ':' and ',' too, which end a property. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::error file=…,title=…::message`: one line, whatever the names in it. */
export function workflowCommand(command: string, properties: Record<string, string | undefined>, message: string): string {
  const props = Object.entries(properties)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${escapeProperty(value)}`)
    .join(',');
  return `::${command}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}

/**
 * For GitHub Actions: one annotation per finding (errors, warnings; info with --verbose) on the
 * file it is about, relative to the repository (--github-root, else GITHUB_WORKSPACE), then a
 * short summary in the log. An archive's entries are not files of the repository: their
 * annotations name the entry in the title and attach to the run.
 */
export function githubReporter({ verbose, githubRoot }: ReporterOptions): Reporter {
  let header: ReportHeader | undefined;
  let infos = 0;
  const fileOf = (finding: Finding): string | undefined => {
    if (!header || header.artifact || githubRoot === undefined) return undefined;
    for (const root of [header.root, header.resolvedRoot]) {
      const file = relative(githubRoot, join(root, finding.path));
      if (file === '') return '.';
      if (!file.startsWith('..') && !isAbsolute(file)) return file;
    }
    return undefined;
  };
  return {
    begin(begun: ReportHeader) {
      header = begun;
      const what = begun.artifact
        ? `${begun.artifact.file}${begun.artifact.kind === 'image' ? `:${begun.artifact.root}` : ''}`
        : begun.root;
      const roles = begun.roles.map((role) => `${role.name} ${role.user} umask ${role.umask}`).join(', ');
      const lines = [`permcheck audit ${what}: preset ${begun.preset ?? 'none'} (${begun.presetSource}); ${roles}`];
      for (const note of begun.notes ?? []) lines.push(`note: ${note}`);
      return lines.map((line) => printable(line)).join('\n') + '\n';
    },
    finding(finding: Finding) {
      if (finding.severity === 'info' && !verbose) {
        infos++;
        return '';
      }
      const file = fileOf(finding);
      const where = file === undefined ? `${header?.artifact ? `${header.artifact.file}:` : ''}${finding.path}: ` : '';
      const title = `permcheck ${finding.rule}${finding.role ? ` (${finding.role})` : ''}`;
      const fix = finding.fix ? ` Fix: ${finding.fix}` : finding.advice ? ` Advice: ${finding.advice}` : '';
      return `${workflowCommand(COMMAND[finding.severity], { file, title: file === undefined ? `${where}${title}` : title }, `${finding.message}.${fix}`)}\n`;
    },
    end(summary: ReportSummary) {
      const lines = [`permcheck: ${countsLine(summary)}${infos > 0 ? ` (info not annotated; --verbose annotates it)` : ''}`];
      if (summary.baseline) lines.push(...baselineLines(summary.baseline).map((line) => `permcheck: ${line}`));
      return lines.map((line) => printable(line)).join('\n') + '\n';
    },
  };
}
