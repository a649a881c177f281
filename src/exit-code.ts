/** Exit codes: the one place that decides them (documented in README "Exit codes"). */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
/** The tree changed under permcheck in a way that matters (a directory swapped while it was read): the result is incomplete. */
export const EXIT_TREE_CHANGED = 3;
export const EXIT_BUG = 70;
export const EXIT_INTERRUPTED = 130;

export const FAIL_ON = ['error', 'warning', 'info', 'never'] as const;
export type FailOn = (typeof FAIL_ON)[number];

export interface SeverityCounts {
  errors: number;
  warnings: number;
  infos: number;
  /** walk-error findings that are races: the tree changed under the run. */
  races: number;
}

/** What a command ended with, as plain data. */
export interface Outcome {
  /** Findings by severity (audit). */
  counts?: SeverityCounts;
  failOn?: FailOn;
  /** Inputs that could not be processed while others were (a missing PATH for `access`). */
  inputErrors?: number;
  /** Stopped by Ctrl-C at a point where it could stop cleanly (fix, between two entries). */
  interrupted?: boolean;
}

export function exitCode(outcome: Outcome): number {
  if (outcome.interrupted) return EXIT_INTERRUPTED;
  if ((outcome.inputErrors ?? 0) > 0) return EXIT_USAGE;
  const counts = outcome.counts;
  if (!counts) return EXIT_OK;
  // Whatever --fail-on says: an audit that was raced is not an answer.
  if (counts.races > 0) return EXIT_TREE_CHANGED;
  switch (outcome.failOn ?? 'error') {
    case 'never':
      return EXIT_OK;
    case 'info':
      return counts.errors + counts.warnings + counts.infos > 0 ? EXIT_FINDINGS : EXIT_OK;
    case 'warning':
      return counts.errors + counts.warnings > 0 ? EXIT_FINDINGS : EXIT_OK;
    case 'error':
      return counts.errors > 0 ? EXIT_FINDINGS : EXIT_OK;
  }
}
