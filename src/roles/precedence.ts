import type { Config } from '../policy/schema.js';
import type { Preset } from '../policy/presets/preset.js';
import type { SourceKind } from './source.js';

/** Where the umask of roles without their own came from, which decides whether the host's may replace it. */
export type DefaultUmaskKind = 'flag' | 'config' | 'framework' | 'default';

/** The umask of roles that do not set one, as chooseDefaultUmask chose it, and from which rank. */
export interface DefaultUmask {
  value: number;
  origin: string;
  kind: DefaultUmaskKind;
}

/**
 * The rank of chooseDefaultUmask's answer (it checks the same things in the same order): --umask,
 * the config's umask, the framework's (Magento's bootstrap applies magento_umask, or 002, to every
 * PHP process), else the plain default that a discovered umask replaces.
 */
export function defaultUmaskKind(flag: string | undefined, config: Config, preset: Preset | undefined): DefaultUmaskKind {
  if (flag !== undefined) return 'flag';
  if (config.umask !== undefined) return 'config';
  if (preset?.umask !== undefined) return 'framework';
  return 'default';
}

/** flags > config > framework > the host (running processes, then config files) > defaults. */
export function outranksHost(kind: DefaultUmaskKind): boolean {
  return kind !== 'default';
}

export function sourceKindOf(kind: DefaultUmaskKind): SourceKind {
  return kind;
}

/**
 * Why the host is not asked, or undefined when it is: --no-discover (or the caller's
 * `discover: false`, for archives and images), and --passwd/--group, which describe another host.
 */
export function discoveryOffReason(options: {
  discover?: boolean | undefined;
  passwd?: string | undefined;
  group?: string | undefined;
}): string | undefined {
  if (options.discover === false) return 'not asked (--no-discover)';
  if (options.passwd !== undefined || options.group !== undefined) return 'not asked: --passwd/--group describe another host';
  return undefined;
}
