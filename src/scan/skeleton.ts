import { declarationStart } from './declarations.js';
import { Scanner, type Body } from './php-structure.js';
import { holdsAnchor, rangeAt } from './ranges.js';
import { feedsOthers, literalReach } from './reach.js';

/**
 * php-parser reads about 1-5 MB/s (less while its JIT warms up), and the files that pass the
 * prefilter are the big ones (WordPress's functions.php is 260 KB for one mkdir). So the parser gets
 * a skeleton of the file: a named function or method that cannot matter is left out whole, other
 * function bodies without a site emptied to `{}` (a function is kept when it holds a literal and
 * assigns a property or defines a constant, which a site elsewhere can read), array literals
 * without any anchor emptied, comments left out. A site that no literal can reach (reach.ts) does
 * not keep its function. Classes, properties, constants and top-level code stay, so the analysis
 * sees every declaration a mode can come from. A map takes the skeleton's offsets back to the file's.
 */

export interface Skeleton {
  code: string;
  /** Kept pieces: [offset in the skeleton, offset in the file], ascending. */
  pieces: [number, number][];
}

/** Offsets the prefilter found: where modes are used or set, and where literals that can be modes are. */
export interface Anchors {
  sites: readonly number[];
  literals: readonly number[];
}

/**
 * Anchors that count: none in comments; a literal in a string is text, but a site name in a
 * string can be code ('FS_CHMOD_FILE', $settings['file_chmod_file'], box('chmod')).
 */
function inCode(anchors: readonly number[], scanner: Scanner, inStrings: boolean): number[] {
  return anchors.filter((at) => !rangeAt(scanner.comments, at) && (inStrings || !rangeAt(scanner.strings, at)));
}

/** After `function`: the names calls.ts recognizes as methods that set modes. */
const MODE_METHOD = /^\s*&?\s*(?:chmod|mkdir|makeDirectory|ensureDirectoryExists)\s*\(/i;

const ARRAY = 0;
const BODY = 1;
const DECLARATION = 2;

/**
 * The skeleton of `code`: function bodies without a site (or without a literal that can reach one)
 * emptied, comments left out. undefined when no site is in code at all (only in comments or
 * strings), or no literal that can be a mode reaches one (a site then has no fixed mode to find, as
 * in a file without any such literal): then there is nothing to parse.
 */
export function skeleton(code: string, anchors: Anchors): Skeleton | undefined {
  const scanner = new Scanner(code);
  scanner.file();
  const sites = inCode(anchors.sites, scanner, true);
  if (sites.length === 0) return undefined;
  const literals = inCode(anchors.literals, scanner, false);
  if (literals.length === 0) return undefined;
  const feeds = feedsOthers(code);
  const reach = literalReach(code, scanner, literals, feeds);
  if (!sites.some(reach.reached)) return undefined;
  const keep = (open: number, close: number) =>
    (holdsAnchor(sites, open, close) && !reach.inert(close)) || (holdsAnchor(literals, open, close) && feeds(open, close));
  const cuts: [number, number, string][] = [];
  let cutUntil = -1;
  // A named function or method that cannot matter goes whole, with its name, parameters, modifiers,
  // attributes and doc comment: it is a statement of its own, so what is left still parses, and the
  // analysis never needed its scope. Otherwise its body may still be emptied (below).
  const closes = new Map(scanner.bodies);
  // A method named like a mode-setting one stays whole: whether `$this->chmod()` sets a mode on this
  // host depends on what that method does (calls.ts).
  const whole = new Set(
    [...scanner.named].filter(([, keyword]) => MODE_METHOD.test(code.slice(keyword + 8, keyword + 64))).map(([open]) => open),
  );
  const declarations = [...scanner.named].map(
    ([open, keyword]) => [declarationStart(code, keyword, scanner), closes.get(open)!, DECLARATION, open] as const,
  );
  const candidates = [
    ...declarations,
    ...scanner.bodies.map(([open, close]) => [open, close, BODY, open] as const),
    ...scanner.arrays.map(([open, close]) => [open, close, ARRAY, open] as const),
  ];
  // Outermost first: what is inside a cut goes with it.
  for (const [open, close, kind, body] of candidates.sort((a, b) => a[0] - b[0])) {
    if (close < 0 || open < cutUntil || whole.has(body)) continue;
    if (kind === DECLARATION) {
      // A short body is never emptied (below): what it gives to others stays, as when it is kept.
      if (keep(open - 1, close) || (close - body < 64 && feeds(body, close))) continue;
      cuts.push([open, close + 1, ' ']);
      cutUntil = close + 1;
      continue;
    }
    if (close - open < 64) continue;
    if (kind === BODY ? keep(open, close) : holdsAnchor(sites, open, close) || holdsAnchor(literals, open, close)) continue;
    cuts.push([open + 1, close, '']);
    cutUntil = close;
  }
  // A comment becomes one space, so the tokens around it stay apart.
  const emptied: Body[] = cuts.map(([start, end]) => [start, end]);
  for (const [start, end] of scanner.comments) if (!rangeAt(emptied, start)) cuts.push([start, end, ' ']);
  cuts.sort((a, b) => a[0] - b[0]);
  const pieces: [number, number][] = [];
  const parts: string[] = [];
  let from = 0;
  let length = 0;
  for (const [start, end, replacement] of cuts) {
    if (start < from) continue;
    pieces.push([length, from]);
    parts.push(code.slice(from, start), replacement);
    length += start - from + replacement.length;
    from = end;
  }
  pieces.push([length, from]);
  parts.push(code.slice(from));
  return { code: parts.join(''), pieces };
}

/** The file offset of a skeleton offset. */
export function originalOffset(skel: Skeleton, offset: number): number {
  const { pieces } = skel;
  let lo = 0;
  let hi = pieces.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (pieces[mid]![0] <= offset) lo = mid;
    else hi = mid - 1;
  }
  const [at, from] = pieces[lo]!;
  return from + (offset - at);
}
