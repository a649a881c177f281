import type { Scanner } from './php-structure.js';
import { declarationStart } from './declarations.js';
import { holdsAnchor } from './ranges.js';

/**
 * What a function gives to code elsewhere: a value for a property of its class ($this->p =, self::$p
 * .=, any assignment the analysis follows) or a constant (define). Calls such as self::box() are not.
 */
const ASSIGNED = String.raw`\s*(?:\*\*|<<|>>|\?\?|[-+*/.%&|^])?=(?![=>])`;
const MEMBER = String.raw`[\w\x80-\uffff]+`;
const FEEDS_OTHERS = new RegExp(
  String.raw`\$this\s*->\s*${MEMBER}${ASSIGNED}|\b(?:self|static)\s*::\s*\$${MEMBER}${ASSIGNED}|\bdefine\s*\(`,
  'g',
);

/** Whether the code between two offsets feeds others (FEEDS_OTHERS), from one search of the file. */
export function feedsOthers(code: string): (open: number, close: number) => boolean {
  const at: number[] = [];
  FEEDS_OTHERS.lastIndex = 0;
  for (let m = FEEDS_OTHERS.exec(code); m; m = FEEDS_OTHERS.exec(code)) at.push(m.index);
  return (open, close) => holdsAnchor(at, open, close);
}

/** One argument of a call, roughly: anything but a comma, parentheses nested once, quoted strings. */
const ARGUMENT = String.raw`(?:[^,()'"]|'[^'\\]*'|"[^"\\]*"|\((?:[^()'"]|'[^'\\]*'|"[^"\\]*")*\))*`;

/**
 * mkdir($dir, 0777): the default request, which leaves the mode to the umask. The analysis does not
 * report it (unless a umask() before it in the function fixes the umask), and no other site can read
 * a literal given straight to a call.
 */
const DEFAULT_MKDIR = new RegExp(String.raw`\bmkdir\s*\(${ARGUMENT},\s*(0{1,2}777|0[oO]777)\s*[,)]`, 'dg');

/**
 * Which sites a literal can reach, by where the analysis looks for a value: the site's own function
 * (its body, closures in it, its parameters), code outside every function (class constants and
 * property defaults, top-level code and constants), and functions that feed others (FEEDS_OTHERS).
 * When nothing outside the functions holds a literal and no function with a literal feeds others, a
 * function whose sites have no literal of their own cannot give a mode: it is `inert`.
 */
export function literalReach(code: string, scanner: Scanner, all: readonly number[], feeds: (open: number, close: number) => boolean) {
  // The outermost functions, each from its declaration (or, for a closure, its body) to its `}`.
  const outermost: { start: number; open: number; close: number }[] = [];
  for (const [open, close] of scanner.bodies) {
    const last = outermost[outermost.length - 1];
    if (close < 0 || (last && open < last.close)) continue;
    const keyword = scanner.named.get(open);
    outermost.push({ start: keyword === undefined ? open : declarationStart(code, keyword, scanner), open, close });
  }
  const around = (at: number) => {
    const i = lastBefore(outermost, at);
    const f = i >= 0 ? outermost[i] : undefined;
    return f && at <= f.close ? f : undefined;
  };
  const literals = withoutDefaults(code, all, around);
  const fromOutside =
    literals.some((at) => around(at) === undefined) ||
    outermost.some((f) => holdsAnchor(literals, f.start - 1, f.close) && feeds(f.open, f.close));
  const inert = (at: number) => {
    if (fromOutside) return false;
    const f = around(at);
    return !f || !(holdsAnchor(literals, f.start - 1, f.close) || feeds(f.open, f.close));
  };
  return { inert, reached: (site: number) => !inert(site) };
}

/** The literals less mkdir's default request in functions (or top-level code) without a literal umask(). */
function withoutDefaults(code: string, literals: readonly number[], around: (at: number) => object | undefined): readonly number[] {
  const defaults = new Set<number>();
  DEFAULT_MKDIR.lastIndex = 0;
  for (let m = DEFAULT_MKDIR.exec(code); m; m = DEFAULT_MKDIR.exec(code)) defaults.add(m.indices![1]![0]);
  if (defaults.size === 0) return literals;
  const fixedUmask = new Set(literals.filter((at) => code.startsWith('umask', at)).map(around));
  return literals.filter((at) => !defaults.has(at) || fixedUmask.has(around(at)));
}

/** The index of the last of `functions` (sorted, disjoint) that starts at or before `at`. */
function lastBefore(functions: readonly { start: number }[], at: number): number {
  let lo = 0;
  let hi = functions.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (functions[mid]!.start <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
