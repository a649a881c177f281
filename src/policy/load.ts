import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { ConfigError, UsageError } from '../errors.js';
import { formatIssues } from './config-errors.js';
import { configSchema, type Config } from './schema.js';

export const CONFIG_FILE = 'permcheck.config.json';

export interface LoadedConfig {
  config: Config;
  /** The file it came from; undefined when there is none. */
  file: string | undefined;
}

/**
 * permcheck.config.json in the directory, or with `walkUp`, in the nearest ancestor that has one
 * (as git finds .git), so `permcheck access var/cache/x` finds its project's roles.
 */
export function findConfigFile(start: string, walkUp: boolean): string | undefined {
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (!walkUp || parent === dir) return undefined;
    dir = parent;
  }
}

export function loadConfig(file: string | undefined): LoadedConfig {
  if (file === undefined) return { config: {}, file: undefined };
  return { config: parseConfig(readConfigText(file), file), file };
}

function readConfigText(file: string): string {
  try {
    if (statSync(file).isDirectory()) throw new UsageError(`config ${file} is a directory, not a file`);
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `config ${file} ${code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable' : (error as Error).message}`,
    );
  }
}

/** JSON with comments and trailing commas (what `permcheck init` writes), validated by the schema. */
export function parseConfig(raw: string, file: string): Config {
  // Editors on Windows save a byte order mark; it is not JSON but means nothing here.
  const text = raw.startsWith('\ufeff') ? raw.slice(1) : raw;
  if (text.trim() === '') throw new ConfigError(`${file}: the configuration is empty; write {} or run permcheck init`);
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  if (errors.length > 0) {
    const first = errors[0]!;
    const { line, column } = position(text, first.offset);
    throw new ConfigError(`${file}:${line}:${column}: not valid JSON: ${describeParseError(printParseErrorCode(first.error))}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`${file}: the configuration must be a JSON object ({ "roles": ..., "paths": ... })`);
  }
  const result = configSchema.safeParse(value);
  if (!result.success) throw new ConfigError(formatIssues(file, result.error.issues, configSchema).join('\n'));
  return result.data;
}

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function describeParseError(code: string): string {
  // InvalidSymbol -> "invalid symbol"
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}
