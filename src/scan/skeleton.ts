import { Scanner, type Body } from './php-structure.js';

/**
 * php-parser reads about 1-5 MB/s, and the files that pass the prefilter are the big ones
 * (WordPress's functions.php is 260 KB for one mkdir). So the parser gets a skeleton of the file:
 * function bodies without a site emptied to `{}` (kept when they hold a literal and assign a
 * property or define a constant, which a site elsewhere can read), array literals without any
 * anchor emptied, comments left out. Classes, properties, constants and top-level code stay, so
 * the analysis sees every declaration a mode can come from. A map takes the skeleton's offsets
 * back to the file's.
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

/** The index of the first range that ends after `at`, in ranges sorted and disjoint. */
function rangeAt(ranges: readonly Body[], at: number): Body | undefined {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid]![1] <= at) lo = mid + 1;
    else hi = mid;
  }
  const range = ranges[lo];
  return range && range[0] <= at ? range : undefined;
}

/**
 * Anchors that count: none in comments; a literal in a string is text, but a site name in a
 * string can be code ('FS_CHMOD_FILE', $settings['file_chmod_file'], box('chmod')).
 */
function inCode(anchors: readonly number[], scanner: Scanner, inStrings: boolean): number[] {
  return anchors.filter((at) => !rangeAt(scanner.comments, at) && (inStrings || !rangeAt(scanner.strings, at)));
}

/** A body whose literals can reach a site elsewhere: it assigns a property or defines a constant. */
const FEEDS_OTHERS = /\$this->|self::|static::|\bdefine\s*\(/g;

/**
 * The skeleton of `code`: function bodies without a site (or without a literal that can reach one)
 * emptied, comments left out. undefined when no site is in code at all (only in comments or
 * strings): then there is nothing to parse.
 */
export function skeleton(code: string, anchors: Anchors): Skeleton | undefined {
  const scanner = new Scanner(code);
  scanner.file();
  const sites = inCode(anchors.sites, scanner, true);
  if (sites.length === 0) return undefined;
  const literals = inCode(anchors.literals, scanner, false);
  const feeds: number[] = [];
  FEEDS_OTHERS.lastIndex = 0;
  for (let m = FEEDS_OTHERS.exec(code); m; m = FEEDS_OTHERS.exec(code)) feeds.push(m.index);
  const keep = (open: number, close: number) =>
    holdsAnchor(sites, open, close) || (holdsAnchor(literals, open, close) && holdsAnchor(feeds, open, close));
  const cuts: [number, number, string][] = [];
  let cutUntil = -1;
  const candidates = [...scanner.bodies.map((b) => [...b, 1] as const), ...scanner.arrays.map((a) => [...a, 0] as const)];
  // Outermost first: what is inside a cut goes with it.
  for (const [open, close, isBody] of candidates.sort((a, b) => a[0] - b[0])) {
    if (close < 0 || open < cutUntil || close - open < 64) continue;
    if (isBody ? keep(open, close) : holdsAnchor(sites, open, close) || holdsAnchor(literals, open, close)) continue;
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

function holdsAnchor(anchors: readonly number[], open: number, close: number): boolean {
  let lo = 0;
  let hi = anchors.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (anchors[mid]! <= open) lo = mid + 1;
    else hi = mid;
  }
  return lo < anchors.length && anchors[lo]! < close;
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
