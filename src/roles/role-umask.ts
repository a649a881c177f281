import type { DiscoveredRole } from '../discover/discovery.js';
import { formatOctal } from '../mode/bits.js';
import { parseUmask } from '../mode/umask.js';
import type { RoleConfig } from '../policy/schema.js';
import { outranksHost } from './precedence.js';
import type { RoleInputs } from './resolve.js';
import type { ValueSource } from '../discover/source.js';

/** roles.X.umask, then --umask, the config's umask and the framework's, then the host's, then the default. */
export function roleUmask(
  name: string,
  config: RoleConfig | undefined,
  inputs: RoleInputs,
  found: DiscoveredRole | undefined,
  notes: string[],
): { value: number; origin: string; sources: ValueSource[] } {
  const hostSources = found?.sources.filter((s) => s.field === 'umask') ?? [];
  const host = found?.umask;
  const overridden = (origin: string, value: number) => {
    if (host !== undefined && host !== value) {
      notes.push(
        `${name}: the host runs it under umask ${formatOctal(host)} (${hostSources[0]?.text ?? 'discovered'}), but ${origin} says ${formatOctal(value)}, which permcheck uses`,
      );
    }
  };
  if (config?.umask !== undefined) {
    const parsed = parseUmask(config.umask);
    // The schema already validated it; a failure here would be a bug.
    if (!parsed.ok) throw new Error(`unvalidated umask ${config.umask}`);
    overridden(`roles.${name}.umask`, parsed.umask);
    return {
      value: parsed.umask,
      origin: 'its umask in the config',
      sources: [configSource('umask', `roles.${name}.umask`, inputs.configFile)],
    };
  }
  const fallback = inputs.defaultUmask;
  if (host === undefined || outranksHost(fallback.kind)) {
    if (outranksHost(fallback.kind)) overridden(fallback.origin, fallback.value);
    return { value: fallback.value, origin: fallback.origin, sources: [{ field: 'umask', kind: fallback.kind, text: fallback.origin }] };
  }
  return { value: host, origin: hostSources[0]?.text ?? 'the host', sources: hostSources };
}

export function configSource(field: ValueSource['field'], key: string, file: string | undefined): ValueSource {
  return { field, kind: 'config', text: `${key} in ${file ?? 'the config'}`, ...(file ? { file } : {}) };
}
