import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { frameworkOf, type Detection } from '../policy/presets/index.js';

/** Which framework the tree at `root` holds, from its marker files; undefined for none. */
export function detectFramework(root: string): Detection | undefined {
  return frameworkOf((marker) => existsSync(join(root, marker)));
}
