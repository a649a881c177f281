import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { frameworkOf, type Detection } from '../policy/presets/index.js';
import type { Trust } from '../trust/trust.js';
import { writerText } from '../access/writers.js';
import type { Names } from '../access/describe.js';
import { writersOf } from './config-file.js';

/** Which framework the tree at `root` holds, from its marker files; undefined for none. */
export function detectFramework(root: string): Detection | undefined {
  return frameworkOf((marker) => existsSync(join(root, marker)));
}

/**
 * Without a config: the nearest directory at or above `dir` where a framework's marker files are
 * (wp-config.php, artisan...), so `--in wp-content/uploads` gets WordPress's creation model. Only one
 * that no one but trusted users can change, as for a config: whoever can write a directory can plant
 * markers there (uploads/) and be taken for the project's owner, its cli role. The path is resolved
 * first: a symlink someone planted decides nothing by where it points. `notes` hears of the markers
 * passed over, and how to take them.
 */
export function frameworkAbove(dir: string | undefined, trust: Trust, notes: string[], names?: Names): string | undefined {
  let real = dir;
  try {
    if (dir !== undefined) real = realpathSync(dir);
  } catch {
    // A path that does not exist (access may name one): as given.
  }
  for (let at = real; at !== undefined; at = dirname(at) === at ? undefined : dirname(at)) {
    if (!detectFramework(at)) continue;
    const writers = writersOf(at, trust);
    if (writers?.length === 0) return at;
    const owner = writers?.find((writer) => writer.kind === 'owner');
    const who =
      writers && names ? writers.map((writer) => writerText(writer, names)).join(', ') : 'someone besides root, you and the --trust users';
    const take = owner?.kind === 'owner' && names ? `; --trust ${names.user(owner.uid)} takes them` : '';
    notes.push(`ignored the framework markers in ${at}: ${who} can change it${take}`);
  }
  return undefined;
}
