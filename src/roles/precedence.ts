import type { DefaultUmask, DefaultUmaskKind } from '../policy/choose.js';
import type { SourceKind } from '../discover/source.js';

export type { DefaultUmask, DefaultUmaskKind };

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
