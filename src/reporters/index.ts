import { githubReporter } from './github.js';
import { jsonReporter } from './json.js';
import type { Reporter, ReporterOptions } from './reporter.js';
import { sarifReporter } from './sarif.js';
import { textReporter } from './text.js';

/** Output formats; the --format choices come from these keys, so flag and code cannot drift. */
export const REPORTERS = {
  text: textReporter,
  json: jsonReporter,
  sarif: sarifReporter,
  github: githubReporter,
} satisfies Record<string, (options: ReporterOptions) => Reporter>;

export type Format = keyof typeof REPORTERS;
export const FORMATS = Object.keys(REPORTERS) as Format[];
