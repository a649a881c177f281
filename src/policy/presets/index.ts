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

/** Whether a marker (a path relative to the root) exists: on disk (project/framework.ts), or in an archive (archive/plan.ts). */
export type MarkerExists = (marker: string) => boolean;

/** Which framework a tree holds, given which marker paths exist in it; undefined for none. */
export function frameworkOf(exists: (marker: string) => boolean): Detection | undefined {
  for (const name of DETECTION_ORDER) {
    const preset = PRESETS[name];
    for (const group of preset.markers) {
      if (group.every(exists)) return { preset, markers: group };
    }
  }
  return undefined;
}
