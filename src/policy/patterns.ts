import { compileGlob, globBase, hasEscape, isDynamic, type Matcher } from './glob.js';

/** What a pattern can do for the entries inside one directory, decided once per directory. */
export const Reach = {
  /** Nothing inside can match. */
  None: 0,
  /** Everything inside matches (the directory is under X of an 'X/**' pattern). */
  All: 1,
  /** Each entry must be tested. */
  Test: 2,
} as const;
export type Reach = (typeof Reach)[keyof typeof Reach];

interface CompiledPattern {
  test: Matcher;
  /** Non-glob patterns compare as strings (picomatch's scan tells them apart). */
  literal: string | undefined;
  /** For 'P/**': a matcher for P; a directory matching it has every descendant matching. */
  subtree: Matcher | 'everything' | undefined;
  /** The literal leading directories ('sites' of 'sites/* /files'); '' when none. */
  base: string;
  /** Segments in the pattern when it has no globstar: nothing deeper can match. */
  maxDepth: number | undefined;
}

/** A set of globs (one policy entry's match, or the ignore list) compiled for a walk. */
export class PatternSet {
  private readonly patterns: CompiledPattern[];

  constructor(patterns: readonly string[]) {
    this.patterns = patterns.map(compilePattern);
  }

  /** How the set applies to the entries directly inside directory `dirRel` ('' for the root). */
  reachInside(dirRel: string, parentReach: Reach): Reach {
    if (parentReach !== Reach.Test) return parentReach;
    const depth = dirRel === '' ? 1 : dirRel.split('/').length + 1;
    let result: Reach = Reach.None;
    for (const pattern of this.patterns) {
      if (pattern.subtree === 'everything' || (pattern.subtree && dirRel !== '' && pattern.subtree(dirRel))) return Reach.All;
      if (pattern.maxDepth !== undefined && depth > pattern.maxDepth) continue;
      if (pattern.base !== '' && dirRel !== '' && !related(pattern.base, dirRel)) continue;
      result = Reach.Test;
    }
    return result;
  }

  matches(rel: string): boolean {
    for (const pattern of this.patterns) {
      if (pattern.literal !== undefined ? pattern.literal === rel : pattern.test(rel)) return true;
    }
    return false;
  }
}

/** Can something below `dir` lie under `base`, or is `dir` under it? */
function related(base: string, dir: string): boolean {
  return base === dir || base.startsWith(`${dir}/`) || dir.startsWith(`${base}/`);
}

function compilePattern(pattern: string): CompiledPattern {
  // An escaped name ('a\\*b', from literalGlob) is no glob, but its text is not the name either.
  const escaped = hasEscape(pattern);
  const dynamic = escaped || isDynamic(pattern);
  const prefix = pattern.endsWith('/**') ? pattern.slice(0, -3) : undefined;
  const prefixTest =
    prefix === undefined ? undefined : escaped || isDynamic(prefix) ? compileGlob(prefix) : (rel: string) => rel === prefix;
  let subtree: CompiledPattern['subtree'];
  if (pattern === '**') subtree = 'everything';
  else if (prefixTest && !prefix!.includes('**')) subtree = prefixTest;
  const full = compileGlob(pattern);
  return {
    // 'X/**' covers X itself. picomatch agrees for a literal X ('var/**' matches 'var') but not for
    // a glob X ('d*/**' does not match 'd00'), so X is tested too.
    test: prefixTest ? (rel) => full(rel) || prefixTest(rel) : full,
    literal: dynamic ? undefined : pattern,
    subtree,
    base: escaped ? '' : dynamic ? globBase(pattern) : pattern.includes('/') ? pattern.slice(0, pattern.lastIndexOf('/')) : '',
    maxDepth: pattern.includes('**') ? undefined : pattern.split('/').length,
  };
}
