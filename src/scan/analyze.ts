import { callSites, type RawSite } from './calls.js';
import { LineIndex, ParserFailure, parsePhp } from './parse.js';
import { indexFile } from './scopes.js';
import { settingSites } from './settings.js';
import type { Anchors } from './skeleton.js';
import type { ModeSite } from './types.js';

export interface FileAnalysis {
  /** false when every anchor was in a comment or a string: nothing was parsed. */
  parsed: boolean;
  /** Sites without `package`: the caller knows where the file sits. */
  sites: Omit<ModeSite, 'package'>[];
  syntaxError?: { message: string; line: number };
}

/**
 * The mode sites of one PHP file. `anchors` are the prefilter's offsets (modeAnchors): function
 * bodies without one are left out of the parse. Pure: text in, plain data out.
 */
export function analyzePhp(code: string, file: string, anchors: Anchors): FileAnalysis {
  const parsed = parsePhp(code, file, anchors);
  if (!parsed) return { parsed: false, sites: [] };
  const raw: RawSite[] = [];
  try {
    const index = indexFile(parsed.ast);
    for (const scope of index.scopes) {
      raw.push(...callSites(scope, { index }, file));
      raw.push(...settingSites(scope, { index }, file));
    }
  } catch (error) {
    // Generated code can nest expressions deeper than the stack (a 10,000-term concatenation).
    if (error instanceof RangeError) throw new ParserFailure(`nested too deeply to analyze (${error.message})`);
    throw error;
  }
  const lines = new LineIndex(code);
  const seen = new Set<string>();
  const sites: Omit<ModeSite, 'package'>[] = [];
  for (const { offset, valueOffset, ...rest } of raw.sort((a, b) => a.offset - b.offset)) {
    const { line, column } = lines.position(parsed.fileOffset(offset));
    const key = `${line}:${column}:${rest.call}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const valueLine = lines.position(parsed.fileOffset(valueOffset)).line;
    sites.push({ file, line, column, ...rest, ...(valueLine !== line ? { valueLine } : {}) });
  }
  return { parsed: true, sites, ...(parsed.syntaxError ? { syntaxError: parsed.syntaxError } : {}) };
}
