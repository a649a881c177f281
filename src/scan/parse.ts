import { lazyPhpEngine } from './php-engine.js';
import { isNode, type PhpNode } from './php-ast.js';
import { originalOffset, skeleton, type Anchors } from './skeleton.js';

/** A parsed file: its AST and the way back from AST offsets to lines in the file. */
export interface ParsedPhp {
  ast: PhpNode;
  /** The file offset of an AST offset (they differ when a skeleton was parsed). */
  fileOffset(astOffset: number): number;
  /** The parser's first complaint, when the file does not parse cleanly (the AST is then partial). */
  syntaxError?: { message: string; line: number };
}

const parser = lazyPhpEngine({
  parser: { php8: true, suppressErrors: true, extractDoc: false },
  ast: { withPositions: true, withSource: false },
});

interface ParseError {
  message: string;
  line: number;
}

/** php-parser itself failed on a file (it throws on some inputs even when told to recover). */
export class ParserFailure extends Error {
  override name = 'ParserFailure';
}

function run(code: string, file: string): { ast: PhpNode; errors: ParseError[] } {
  let ast: unknown;
  try {
    ast = parser().parseCode(code, file);
  } catch (error) {
    throw new ParserFailure(error instanceof Error ? error.message : String(error));
  }
  if (!isNode(ast)) throw new ParserFailure('no program');
  const errors = (Array.isArray(ast.errors) ? ast.errors : []).map((e: { message?: unknown; line?: unknown }) => ({
    message: String(e.message ?? 'syntax error'),
    line: typeof e.line === 'number' ? e.line : 0,
  }));
  return { ast, errors };
}

/**
 * Parse the skeleton of `code` around `anchors` (undefined when no site is in code: nothing to
 * parse). A skeleton that does not parse cleanly (the scanner misjudged a brace) falls back to
 * the whole file, so the shortcut can cost time but never a finding. Throws ParserFailure when
 * php-parser itself fails.
 */
export function parsePhp(code: string, file: string, anchors: Anchors): ParsedPhp | undefined {
  const skel = skeleton(code, anchors);
  if (!skel) return undefined;
  const parsed = run(skel.code, file);
  if (parsed.errors.length === 0) return { ast: parsed.ast, fileOffset: (offset) => originalOffset(skel, offset) };
  const whole = run(code, file);
  const first = whole.errors[0];
  const error = first ? { message: first.message.replace(/^Parse Error : /, ''), line: first.line } : undefined;
  return { ast: whole.ast, fileOffset: (offset) => offset, ...(error ? { syntaxError: error } : {}) };
}

/** 1-based line and column of file offsets, from one index of line starts. */
export class LineIndex {
  private starts: number[] | undefined;
  constructor(private readonly code: string) {}

  position(offset: number): { line: number; column: number } {
    if (!this.starts) {
      this.starts = [0];
      for (let at = this.code.indexOf('\n'); at >= 0; at = this.code.indexOf('\n', at + 1)) this.starts.push(at + 1);
    }
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  }
}
