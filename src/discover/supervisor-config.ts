import { dirname, posix } from 'node:path';
import { numberedLines, type IncludeLoader, type Located } from './located.js';

/** One `[section]` of a supervisor file, keys lower-cased as Python's ConfigParser does. */
export interface IniSection {
  name: string;
  file: string;
  line: number;
  values: Record<string, Located>;
}

/**
 * A supervisor config file as Python's ConfigParser reads it: `[section]`, `key = value` or
 * `key: value`, indented lines continue a value, `;` and `#` start comments (inline ones only
 * after whitespace).
 */
export function parseSupervisorIni(text: string, file: string): IniSection[] {
  const sections: IniSection[] = [];
  let current: IniSection | undefined;
  let last: Located | undefined;
  for (const { text: raw, line } of numberedLines(text)) {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) {
      if (trimmed === '') last = undefined;
      continue;
    }
    const content = raw.replace(/\s[;#].*$/, '');
    if (/^\s/.test(raw) && last) {
      last.value = `${last.value}\n${content.trim()}`;
      continue;
    }
    const header = /^\[(.+)\]\s*$/.exec(content);
    if (header) {
      current = { name: header[1]!.trim(), file, line, values: {} };
      sections.push(current);
      last = undefined;
      continue;
    }
    const delimiter = /[=:]/.exec(content);
    if (!current || !delimiter) continue;
    last = { value: content.slice(delimiter.index + 1).trim(), file, line };
    current.values[content.slice(0, delimiter.index).trim().toLowerCase()] = last;
  }
  return sections;
}

/**
 * Python %-interpolation as supervisor applies it: `%(here)s`, `%(ENV_HOME)s`,
 * `%(program_name)s`, `%(process_num)02d`, `%%`. Names it cannot fill are left as written and
 * listed in `missing`.
 */
export function expandSupervisor(value: string, vars: Readonly<Record<string, string>>): { text: string; missing: string[] } {
  const missing: string[] = [];
  const text = value.replace(/%%|%\(([^)]+)\)([-#0 +]*)(\d*)(?:\.\d+)?([sdirx])/g, (whole, name, flags, width, conversion) => {
    if (whole === '%%') return '%';
    const found = vars[name];
    if (found === undefined) {
      missing.push(name);
      return whole;
    }
    if (conversion === 'd' && String(flags).includes('0') && width) return found.padStart(Number(width), '0');
    return found;
  });
  return { text, missing };
}

/** A `[program:x]` with the settings that decide who runs it, where and under which umask. */
export interface SupervisorProgram {
  name: string;
  file: string;
  line: number;
  command: Located | undefined;
  directory: Located | undefined;
  user: Located | undefined;
  /** `umask=` (octal, as supervisor reads it); undefined: the child inherits supervisord's. */
  umask: Located<number> | undefined;
  /** %(ENV_X)s and other names that could not be filled in. */
  unexpanded: string[];
}

export interface SupervisorConfig {
  /** The [supervisord] section, for its user= and umask=. */
  supervisord: IniSection | undefined;
  programs: SupervisorProgram[];
}

/**
 * supervisord's configuration: the main file and the files its `[include] files=` names
 * (whitespace-separated globs relative to the main file; included files include nothing more).
 * `env` is supervisord's environment, for %(ENV_X)s; [supervisord] environment= adds to it.
 */
export function supervisorConfig(
  text: string,
  file: string,
  include: IncludeLoader,
  env: Readonly<Record<string, string>>,
): SupervisorConfig {
  const main = parseSupervisorIni(text, file);
  const sections = [...main];
  const includeSection = main.find((section) => section.name === 'include');
  const files = includeSection?.values.files;
  if (files) {
    const here = dirname(file);
    for (const pattern of expandSupervisor(files.value, { here }).text.split(/\s+/).filter(Boolean)) {
      const absolute = posix.isAbsolute(pattern) ? pattern : posix.join(here, pattern);
      for (const included of include(absolute, files)) sections.push(...parseSupervisorIni(included.text, included.file));
    }
  }
  const supervisord = sections.find((section) => section.name === 'supervisord');
  const vars: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) vars[`ENV_${key}`] = value;
  for (const [key, value] of Object.entries(keyValuePairs(supervisord?.values.environment?.value ?? ''))) vars[`ENV_${key}`] = value;
  const programs = sections.filter((section) => section.name.startsWith('program:')).map((section) => program(section, vars));
  return { supervisord, programs };
}

function program(section: IniSection, globals: Record<string, string>): SupervisorProgram {
  const name = section.name.slice('program:'.length).trim();
  const vars: Record<string, string> = {
    ...globals,
    ...Object.fromEntries(Object.entries(keyValuePairs(section.values.environment?.value ?? '')).map(([k, v]) => [`ENV_${k}`, v])),
    here: dirname(section.file),
    program_name: name,
    group_name: name,
    process_num: '0',
    numprocs: section.values.numprocs?.value ?? '1',
  };
  const unexpanded = new Set<string>();
  const get = (key: string): Located | undefined => {
    const found = section.values[key];
    if (!found) return undefined;
    const expanded = expandSupervisor(found.value, vars);
    for (const missing of expanded.missing) unexpanded.add(missing);
    return { ...found, value: expanded.text };
  };
  const umaskText = get('umask');
  const umask =
    umaskText && /^[0-7]{1,4}$/.test(umaskText.value) ? { ...umaskText, value: Number.parseInt(umaskText.value, 8) } : undefined;
  return {
    name,
    file: section.file,
    line: section.line,
    command: get('command'),
    directory: get('directory'),
    user: get('user'),
    umask,
    unexpanded: [...unexpanded],
  };
}

/** supervisor's `KEY="value",KEY2=value2` lists (environment=). */
function keyValuePairs(text: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const match of text.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*=\s*("[^"]*"|'[^']*'|[^,]*)/g)) {
    pairs[match[1]!] = match[2]!.replace(/^(["'])(.*)\1$/, '$2').trim();
  }
  return pairs;
}
