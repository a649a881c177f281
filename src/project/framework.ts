import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { frameworkOf, type Detection } from '../policy/presets/index.js';

/** Which framework the tree at `root` holds, from its marker files; undefined for none. */
export function detectFramework(root: string): Detection | undefined {
  return frameworkOf((marker) => existsSync(join(root, marker)));
}

/**
 * Without a config: the nearest directory at or above `dir` where a framework's marker files are
 * (wp-config.php, artisan...), so `--in wp-content/uploads` gets WordPress's creation model.
 */
export function frameworkAbove(dir: string | undefined): string | undefined {
  for (let at = dir; at !== undefined; at = dirname(at) === at ? undefined : dirname(at)) if (detectFramework(at)) return at;
  return undefined;
}
