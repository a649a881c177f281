import { createScanner, parse, printParseErrorCode, SyntaxKind, type ParseError } from 'jsonc-parser';
import { ConfigError } from '../errors.js';
import { formatIssues } from './config-errors.js';
import { configSchema, type Config } from './schema.js';

export interface LoadedConfig {
  config: Config;
  /** The file it came from; undefined when there is none. */
  file: string | undefined;
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
    const code = printParseErrorCode(first.error);
    if (code === 'CommaExpected') {
      // Said where the comma belongs, not at the next value, which may be lines of comments further on.
      const at = position(text, endOfValueBefore(text, first.offset));
      const next = position(text, first.offset);
      throw new ConfigError(
        `${file}:${at.line}:${at.column}: not valid JSON: a comma is missing after this value (the next one is at line ${next.line})`,
      );
    }
    const { line, column } = position(text, first.offset);
    throw new ConfigError(`${file}:${line}:${column}: not valid JSON: ${describeParseError(code)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`${file}: the configuration must be a JSON object ({ "roles": ..., "paths": ... })`);
  }
  const result = configSchema.safeParse(value);
  if (!result.success) throw new ConfigError(formatIssues(file, result.error.issues, configSchema).join('\n'));
  return result.data;
}

/** Where the last token before `offset` ends, comments and white space skipped. */
function endOfValueBefore(text: string, offset: number): number {
  const scanner = createScanner(text, true);
  let end = 0;
  while (scanner.scan() !== SyntaxKind.EOF && scanner.getTokenOffset() < offset) end = scanner.getTokenOffset() + scanner.getTokenLength();
  return end;
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
