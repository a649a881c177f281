import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { frameworkOf, type Detection } from '../policy/presets/index.js';
import type { Trust } from '../trust/trust.js';
import { writersOf } from './config-file.js';

/** Which framework the tree at `root` holds, from its marker files; undefined for none. */
export function detectFramework(root: string): Detection | undefined {
  return frameworkOf((marker) => existsSync(join(root, marker)));
}

/**
 * Without a config: the directory at or above `dir` where a framework's marker files are (wp-config.php,
 * artisan...), so `--in wp-content/uploads` gets WordPress's creation model. The nearest one that no one
 * but trusted users can change; else the outermost: whoever can write a directory inside the project
 * (uploads/) can plant markers there and be taken for the project's owner, but not above it.
 * `notes` hears of the markers passed over.
 */
export function frameworkAbove(dir: string | undefined, trust: Trust, notes: string[]): string | undefined {
  const found: string[] = [];
  for (let at = dir; at !== undefined; at = dirname(at) === at ? undefined : dirname(at)) {
    if (!detectFramework(at)) continue;
    if (writersOf(at, trust)?.length === 0) return passed(found, at, notes);
    found.push(at);
  }
  const outer = found.pop();
  return outer === undefined ? undefined : passed(found, outer, notes);
}

function passed(over: readonly string[], taken: string, notes: string[]): string {
  for (const at of over)
    notes.push(
      `ignored the framework markers in ${at}: someone besides root, you and the --trust users can change it; ${taken} is the project`,
    );
  return taken;
}
