import { grouped } from '../text/grouped.js';
import type { BaselineOutcome } from '../baseline/baseline.js';
import type { ReportSummary } from './reporter.js';

/** Stale baseline entries listed by name; the rest are counted. */
const STALE_LISTED = 10;

/** "4 errors, 1 warning, 12 info; 32 entries in 0.02 s", or "no findings; ...". */
export function countsLine(summary: ReportSummary): string {
  const counts = `${plural(summary.errors, 'error')}, ${plural(summary.warnings, 'warning')}, ${plural(summary.infos, 'info')}`;
  const scanned = `${plural(summary.entries, 'entry')} in ${(summary.elapsedMs / 1000).toFixed(2)} s`;
  return summary.errors + summary.warnings + summary.infos === 0 ? `no findings; ${scanned}` : `${counts}; ${scanned}`;
}

/** What the baseline suppressed, and which of its entries no longer occur (so that it can shrink). */
export function baselineLines(baseline: BaselineOutcome): string[] {
  const lines = [`baseline ${baseline.file}: ${plural(baseline.suppressed, 'known finding')} not reported`];
  if (baseline.stale.length > 0) {
    lines.push(
      `${plural(baseline.stale.length, 'baseline entry', 'baseline entries')} no longer ${baseline.stale.length === 1 ? 'occurs' : 'occur'} (write it again with --write-baseline to drop them):`,
    );
    for (const entry of baseline.stale.slice(0, STALE_LISTED)) {
      lines.push(`  ${entry.rule} ${entry.path}${entry.role ? ` [${entry.role}]` : ''}`);
    }
    if (baseline.stale.length > STALE_LISTED) lines.push(`  and ${grouped(baseline.stale.length - STALE_LISTED)} more`);
  }
  return lines;
}

export function plural(count: number, word: string, many?: string): string {
  const more = many ?? (word === 'entry' ? 'entries' : word === 'info' ? 'info' : `${word}s`);
  return `${grouped(count)} ${count === 1 ? word : more}`;
}
