import { ConfigError, UsageError } from '../errors.js';
import { excerpt } from '../text/printable.js';
import { formatOctal } from '../mode/bits.js';
import { parseUmask, UMASK_FORMS } from '../mode/umask.js';
import { PRESETS, type Detection } from './presets/index.js';
import type { Preset } from './presets/preset.js';
import { PRESET_NAMES, type PresetName } from './preset-names.js';
import type { Config } from './schema.js';

export interface PresetChoice {
  preset: Preset | undefined;
  /** How it was chosen, for the header: "--preset", "permcheck.config.json", "detected from bin/magento". */
  source: string;
}

/**
 * --preset, else the config's preset. A config with its own paths and no preset is the whole
 * policy; otherwise the framework is detected from marker files (`detect` looks, only if asked),
 * falling back to 'generic'.
 */
export function choosePreset(
  flag: string | undefined,
  config: Config,
  configFile: string | undefined,
  detect: () => Detection | undefined,
): PresetChoice {
  if (flag !== undefined) {
    if (!(PRESET_NAMES as readonly string[]).includes(flag))
      throw new UsageError(`--preset '${flag}' is not a preset (${PRESET_NAMES.join(', ')})`);
    return { preset: PRESETS[flag as PresetName], source: '--preset' };
  }
  if (config.preset) return { preset: PRESETS[config.preset], source: configFile ?? 'config' };
  if (config.paths && config.paths.length > 0) return { preset: undefined, source: `the paths in ${configFile ?? 'the config'}` };
  const detected = detect();
  if (detected) return { preset: detected.preset, source: `detected from ${detected.markers.join(' and ')}` };
  return { preset: PRESETS.generic, source: NO_FRAMEWORK };
}

/** The preset's source when nothing chose one and no marker file was found. */
export const NO_FRAMEWORK = 'no framework detected';

/** Where the umask of roles without their own came from, which decides whether the host's may replace it. */
export type DefaultUmaskKind = 'flag' | 'config' | 'framework' | 'default';

/** The umask of roles that do not set one, where it was found, and from which rank. */
export interface DefaultUmask {
  value: number;
  origin: string;
  kind: DefaultUmaskKind;
}

export const MAGENTO_UMASK_FILE = 'magento_umask';

/**
 * The umask of roles that do not set their own: --umask, else the config's, else Magento's
 * magento_umask file (its bootstrap applies it to every PHP process), else the preset's, else
 * 0022 (systemd's default UMask= for services such as php-fpm). Its kind is the rank it came from:
 * all but the plain default outrank the umask of what the host runs.
 */
export function chooseDefaultUmask(
  flag: string | undefined,
  config: Config,
  configFile: string | undefined,
  preset: Preset | undefined,
  /** The magento_umask file's text, read by the caller (only if it could be trusted). */
  magentoUmask: { text: string; file: string } | undefined,
): DefaultUmask {
  if (flag !== undefined) {
    const parsed = parseUmask(flag);
    if (!parsed.ok) throw new UsageError(`--umask '${flag}' ${parsed.reason}; expected ${UMASK_FORMS}`);
    return { value: parsed.umask, origin: '--umask', kind: 'flag' };
  }
  if (config.umask !== undefined) {
    const parsed = parseUmask(config.umask);
    if (parsed.ok) return { value: parsed.umask, origin: `umask in ${configFile ?? 'the config'}`, kind: 'config' };
  }
  if (preset?.name === 'magento2' && magentoUmask !== undefined) {
    const text = magentoUmask.text.trim();
    const parsed = parseUmask(text);
    if (!parsed.ok) throw new ConfigError(`${magentoUmask.file}: '${excerpt(text)}' ${parsed.reason}; expected octal such as 002`);
    return { value: parsed.umask, origin: MAGENTO_UMASK_FILE, kind: 'framework' };
  }
  if (preset?.umask) {
    const parsed = parseUmask(preset.umask);
    if (parsed.ok) return { value: parsed.umask, origin: `${preset.name} default ${formatOctal(parsed.umask)}`, kind: 'framework' };
  }
  return { value: 0o022, origin: 'default 0022', kind: 'default' };
}
