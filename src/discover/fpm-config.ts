import { numberedLines, unquote, type IncludeLoader, type Located } from './located.js';

/** One `[pool]` section of a php-fpm configuration, with every key where it was set. */
export interface FpmPoolConfig {
  name: string;
  file: string;
  line: number;
  settings: Record<string, Located>;
}

export interface FpmConfig {
  global: Record<string, Located>;
  pools: FpmPoolConfig[];
}

/** Includes nest, and a glob may match the including file itself: stop there. */
const MAX_INCLUDE_DEPTH = 8;

/**
 * A php-fpm configuration as php-fpm reads it: `;` comments, `[global]` and `[pool]` sections,
 * `include=` globs expanded in place (an included file continues the current section), and
 * `$pool` replaced by the pool's name in values (php-fpm does so for listen, chdir, logs...).
 */
export function parseFpmConfig(text: string, file: string, include: IncludeLoader): FpmConfig {
  const config: FpmConfig = { global: {}, pools: [] };
  const state: { pool: FpmPoolConfig | undefined } = { pool: undefined };
  parseInto(text, file, include, config, state, 0);
  return config;
}

function parseInto(
  text: string,
  file: string,
  include: IncludeLoader,
  config: FpmConfig,
  state: { pool: FpmPoolConfig | undefined },
  depth: number,
): void {
  for (const { text: raw, line } of numberedLines(text)) {
    const content = stripComment(raw).trim();
    if (content === '') continue;
    const section = /^\[(.+)\]$/.exec(content);
    if (section) {
      const name = section[1]!.trim();
      if (name.toLowerCase() === 'global') {
        state.pool = undefined;
        continue;
      }
      state.pool = config.pools.find((pool) => pool.name === name);
      if (!state.pool) {
        state.pool = { name, file, line, settings: {} };
        config.pools.push(state.pool);
      }
      continue;
    }
    const equals = content.indexOf('=');
    if (equals <= 0) continue;
    const key = content.slice(0, equals).trim().toLowerCase();
    const rawValue = unquote(content.slice(equals + 1).trim());
    const value = state.pool ? rawValue.replaceAll('$pool', state.pool.name) : rawValue;
    if (key === 'include') {
      if (depth >= MAX_INCLUDE_DEPTH) continue;
      for (const included of include(value, { file, line })) parseInto(included.text, included.file, include, config, state, depth + 1);
      continue;
    }
    (state.pool ? state.pool.settings : config.global)[key] = { value, file, line };
  }
}

/** php's ini syntax: `;` starts a comment unless inside double quotes; `#` lines are old comments. */
function stripComment(line: string): string {
  if (line.trimStart().startsWith('#')) return '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === ';' && !quoted) return line.slice(0, i);
  }
  return line;
}
