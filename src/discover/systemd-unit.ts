import { parseUmask } from '../mode/umask.js';
import { numberedLines, type Located } from './located.js';

/** The [Service] settings permcheck needs from one unit file or drop-in. */
export interface ServiceSettings {
  /** `UMask=`; a value of undefined is an empty `UMask=`, which resets it to the default. */
  umask: Located<number | undefined> | undefined;
  /** `ExecStart=` command lines, without systemd's prefixes (-@:+!). */
  execStart: Located[];
}

/** systemd's UMask= for services that set none. */
export const SYSTEMD_DEFAULT_UMASK = 0o022;

/** The directories systemd loads units from, most important first. */
export const UNIT_DIRS = ['/etc/systemd/system', '/run/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system'];

export function parseServiceSettings(text: string, file: string): ServiceSettings {
  const settings: ServiceSettings = { umask: undefined, execStart: [] };
  let section = '';
  let pending: { text: string; line: number } | undefined;
  for (const { text: raw, line } of numberedLines(text)) {
    // A trailing backslash continues the line.
    const joined = pending ? { text: `${pending.text} ${raw.trim()}`, line: pending.line } : { text: raw.trim(), line };
    if (joined.text.endsWith('\\')) {
      pending = { text: joined.text.slice(0, -1).trimEnd(), line: joined.line };
      continue;
    }
    pending = undefined;
    const content = joined.text;
    if (content === '' || content.startsWith('#') || content.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(content);
    if (header) {
      section = header[1]!;
      continue;
    }
    if (section !== 'Service') continue;
    const equals = content.indexOf('=');
    if (equals <= 0) continue;
    const key = content.slice(0, equals).trim();
    const value = content.slice(equals + 1).trim();
    if (key === 'UMask') {
      if (value === '') settings.umask = { value: undefined, file, line: joined.line };
      else {
        // systemd ignores (and logs) a value it cannot parse; so does permcheck.
        const parsed = /^[0-7]{1,4}$/.test(value) ? parseUmask(value) : undefined;
        if (parsed?.ok) settings.umask = { value: parsed.umask, file, line: joined.line };
      }
    } else if (key === 'ExecStart') {
      if (value === '') settings.execStart = [];
      else settings.execStart.push({ value: value.replace(/^[-@:+!]+/, ''), file, line: joined.line });
    }
  }
  return settings;
}

/**
 * The UMask= in force for a unit: its file, then its drop-ins in order, the last setting wins.
 * undefined when none sets it (the service runs under systemd's default, 0022).
 */
export function effectiveUmask(layers: readonly ServiceSettings[]): Located<number> | undefined {
  let found: Located<number | undefined> | undefined;
  for (const layer of layers) if (layer.umask) found = layer.umask;
  return found && found.value !== undefined ? (found as Located<number>) : undefined;
}

/**
 * The drop-ins systemd applies to a unit: every `<unit>.d/*.conf` of every unit directory, where a
 * file of the same name in a more important directory hides the others, sorted by file name.
 * `listings` are in UNIT_DIRS order.
 */
export function dropInOrder(listings: readonly { dir: string; names: readonly string[] }[]): string[] {
  const chosen = new Map<string, string>();
  for (const { dir, names } of listings)
    for (const name of names) if (name.endsWith('.conf') && !chosen.has(name)) chosen.set(name, `${dir}/${name}`);
  return [...chosen.keys()].sort().map((name) => chosen.get(name)!);
}

/** The unit a process runs in, from /proc/PID/cgroup ("0::/system.slice/php8.2-fpm.service"). */
export function unitOfCgroup(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const path = line.split(':').slice(2).join(':');
    const unit = /\/([^/]+\.service)(?:\/|$)/.exec(path);
    if (unit && (line.startsWith('0::') || line.includes(':name=systemd:'))) return unit[1];
  }
  return undefined;
}
