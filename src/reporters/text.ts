import type { Finding } from '../rules/contract.js';
import { RULE_IDS, SEVERITIES, type Severity } from '../rules/ids.js';
import { RULES } from '../rules/index.js';
import { printable } from '../text/printable.js';
import type { ReportHeader, Reporter, ReporterOptions, ReportSummary } from './reporter.js';

const HEADINGS: Record<Severity, string> = { error: 'Errors', warning: 'Warnings', info: 'Info' };

/** For people: a header, findings grouped by severity and rule, each with its fix, and a summary. */
export function textReporter({ paint, verbose }: ReporterOptions): Reporter {
  const findings: Finding[] = [];
  const colour = (severity: Severity, text: string) =>
    severity === 'error' ? paint.red(text) : severity === 'warning' ? paint.yellow(text) : paint.cyan(text);
  return {
    begin(header: ReportHeader) {
      const width = Math.max(6, ...header.roles.map((role) => role.name.length));
      const lines = [
        `${paint.bold('permcheck audit')} ${printable(header.root)}${header.resolvedRoot !== header.root ? ` (-> ${printable(header.resolvedRoot)})` : ''}`,
      ];
      lines.push(`  ${'preset'.padEnd(width)}  ${header.preset ?? 'none'} (${header.presetSource})`);
      lines.push(
        `  ${'config'.padEnd(width)}  ${header.config.file === null ? 'none' : printable(header.config.file)} (${header.config.source})`,
      );
      for (const role of header.roles) {
        lines.push(
          `  ${role.name.padEnd(width)}  ${role.user} (uid ${role.uid}; groups ${role.groups.join(', ')}; ${role.origin}), umask ${role.umask} (${role.umaskOrigin})`,
        );
      }
      if (header.runner.uid !== 0) {
        lines.push(
          `  ${'note'.padEnd(width)}  running as ${header.runner.user} (uid ${header.runner.uid}), not root: what it may not read is reported as walk-error, not audited`,
        );
      }
      return lines.join('\n') + '\n';
    },
    finding(finding: Finding) {
      findings.push(finding);
      return '';
    },
    end(summary: ReportSummary) {
      const lines: string[] = [];
      for (const severity of SEVERITIES) {
        const ofSeverity = findings.filter((f) => f.severity === severity);
        if (ofSeverity.length === 0) continue;
        lines.push('', paint.bold(colour(severity, `${HEADINGS[severity]} (${ofSeverity.length})`)));
        if (severity === 'info' && !verbose) {
          // Info is context, not a problem: counted per rule, listed with --verbose.
          for (const rule of RULE_IDS) {
            const count = ofSeverity.filter((f) => f.rule === rule).length;
            if (count > 0) lines.push(`  ${colour(severity, rule)}: ${RULES[rule].title.toLowerCase()} (${count}; --verbose lists them)`);
          }
          continue;
        }
        for (const rule of RULE_IDS) {
          // Reported as soon as final (children before their directory); people read by path.
          const ofRule = ofSeverity.filter((f) => f.rule === rule).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
          if (ofRule.length === 0) continue;
          lines.push(`  ${colour(severity, rule)}: ${RULES[rule].title.toLowerCase()} (${ofRule.length})`);
          for (const { finding: f, roles } of mergeRoles(ofRule)) {
            lines.push(
              `    ${paint.bold(printable(f.path))}${roles.length ? `  [${roles.join(', ')}]` : ''}${f.entries > 1 ? paint.dim(`  (${f.entries.toLocaleString('en-US')} entries)`) : ''}`,
            );
            lines.push(`      ${printable(f.message)}${roles.length > 1 ? paint.dim(` (the same for ${roles.slice(1).join(', ')})`) : ''}`);
            if (f.fix) lines.push(`      ${paint.dim('fix:')} ${printable(f.fix)}`);
            if (f.advice) lines.push(`      ${paint.dim('advice:')} ${printable(f.advice)}`);
            if (f.noFix) lines.push(`      ${paint.dim('no fix:')} ${printable(f.noFix)}`);
          }
        }
      }
      const counts = `${plural(summary.errors, 'error')}, ${plural(summary.warnings, 'warning')}, ${plural(summary.infos, 'info')}`;
      const scanned = `${plural(summary.entries, 'entry')} in ${(summary.elapsedMs / 1000).toFixed(2)} s`;
      const total = summary.errors + summary.warnings + summary.infos;
      lines.push('', total === 0 ? paint.green(`no findings; ${scanned}`) : `${counts}; ${scanned}`);
      return lines.join('\n') + '\n';
    },
  };
}

/**
 * Findings that differ only in the role (cli and cron are often one user) are shown once, with
 * every role named: same rule, path, extent and fix.
 */
function mergeRoles(findings: Finding[]): { finding: Finding; roles: string[] }[] {
  const merged = new Map<string, { finding: Finding; roles: string[] }>();
  for (const finding of findings) {
    const key = JSON.stringify([finding.path, finding.entries, finding.fix ?? null, finding.role === undefined]);
    const entry = merged.get(key);
    if (entry && finding.role) entry.roles.push(finding.role);
    else merged.set(key + (finding.role === undefined ? merged.size : ''), { finding, roles: finding.role ? [finding.role] : [] });
  }
  return [...merged.values()];
}

function plural(count: number, word: string): string {
  const many = word === 'entry' ? 'entries' : word === 'info' ? 'info' : `${word}s`;
  return `${count.toLocaleString('en-US')} ${count === 1 ? word : many}`;
}
