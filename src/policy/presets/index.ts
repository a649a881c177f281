import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fg from 'fast-glob';
import type { PresetName } from '../schema.js';
import { drupal } from './drupal.js';
import { generic } from './generic.js';
import { laravel } from './laravel.js';
import { magento2 } from './magento2.js';
import type { Preset } from './preset.js';
import { shopware } from './shopware.js';
import { symfony } from './symfony.js';
import { wordpress } from './wordpress.js';

export const PRESETS: Record<PresetName, Preset> = { generic, magento2, laravel, symfony, wordpress, drupal, shopware };

/** Most specific first: Shopware and Magento ship bin/console-like files that would look like Symfony. */
const DETECTION_ORDER: PresetName[] = ['magento2', 'shopware', 'drupal', 'laravel', 'wordpress', 'symfony'];

export interface Detection {
  preset: Preset;
  /** The marker files that matched, for the header ("detected from bin/magento"). */
  markers: readonly string[];
}

/** Whether a marker (a path relative to the root) exists: on disk, or in an archive (archive/plan.ts). */
export type MarkerExists = (marker: string) => boolean;

/** Which framework the tree holds, from marker files; undefined for none. */
export function detectFramework(root: string | MarkerExists): Detection | undefined {
  const found = typeof root === 'string' ? (marker: string) => exists(root, marker) : root;
  for (const name of DETECTION_ORDER) {
    const preset = PRESETS[name];
    for (const group of preset.markers) {
      if (group.every(found)) return { preset, markers: group };
    }
  }
  return undefined;
}

function exists(root: string, marker: string): boolean {
  if (!fg.isDynamicPattern(marker)) return existsSync(join(root, marker));
  // Never follow symlinks while looking: a link could point anywhere.
  return fg.sync(marker, { cwd: root, dot: true, onlyFiles: false, followSymbolicLinks: false, deep: 4 }).length > 0;
}
