/**
 * php-parser reads about 5 MB/s, and the files that pass the prefilter are the big ones
 * (WordPress's functions.php is 260 KB for one mkdir). So the parser gets a skeleton: the file with
 * the bodies of functions that hold no anchor (a mode name or a mode literal) emptied to `{}`.
 * Classes, properties, constants and top-level code stay, so the analysis sees every declaration
 * a mode can come from. A map takes the skeleton's offsets back to the file's.
 *
 * The scanner knows just enough PHP to find braces that are code: strings (with {$…}
 * interpolation), heredoc and nowdoc, comments, `#[` attributes, and text outside <?php … ?>.
 */

export interface Skeleton {
  code: string;
  /** Kept pieces: [offset in the skeleton, offset in the file], ascending. */
  pieces: [number, number][];
}

/** Body of a function: offsets of its `{` and its matching `}`. */
type Body = [open: number, close: number];

/** Runs of code characters that mean nothing to the scanner, skipped natively. */
const ORDINARY = /[^'"`#/<?()[\];{}f]+/y;
/** Runs inside a string up to what can end or interpolate it. */
const IN_DOUBLE = /[^"\\{]+/y;
const IN_SINGLE = /[^'\\]+/y;
const IN_BACKTICK = /[^`\\{]+/y;

const isWord = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c >= 128;

class Scanner {
  pos = 0;
  readonly bodies: Body[] = [];
  /** Comments (left out of the skeleton) and strings (their content is no anchor), in order. */
  readonly comments: Body[] = [];
  readonly strings: Body[] = [];
  /** Array literals, [ … ] and array( … ): big lists of data (WordPress's $_old_files) hold no mode. */
  readonly arrays: Body[] = [];
  /** Open ( and [ : for each, whether it starts an array literal. */
  private readonly brackets: [at: number, array: boolean][] = [];
  private nextClose = 0;
  /** Braces of the PHP code outside strings, kept across ?> … <?php (templates close blocks later). */
  private readonly braces: boolean[] = [];
  constructor(private readonly s: string) {}

  /** Inline HTML until an opening tag, then code; to the end of the file. */
  file(): void {
    while (this.pos < this.s.length) {
      const open = this.s.indexOf('<?', this.pos);
      if (open < 0) return;
      this.pos = open + 2;
      // As PHP with short_open_tag off (Debian's default, and php-parser's): <?xml stays text.
      if (this.s.slice(this.pos, this.pos + 3).toLowerCase() === 'php') this.pos += 3;
      else if (this.s[this.pos] === '=') this.pos++;
      else continue;
      this.code(false);
    }
  }

  /**
   * Code until `?>` (then true) or, inside an interpolation, until its closing `}` (then false).
   * Function bodies found on the way are recorded.
   */
  code(interpolation: boolean): boolean {
    const s = this.s;
    const stack: boolean[] = interpolation ? [] : this.braces;
    let pendingFunction = false;
    let parens = 0;
    while (this.pos < s.length) {
      ORDINARY.lastIndex = this.pos;
      if (ORDINARY.test(s)) {
        this.pos = ORDINARY.lastIndex;
        if (this.pos >= s.length) break;
      }
      const c = s.charCodeAt(this.pos);
      if (c === 39 /* ' */) this.quoted(39, false);
      else if (c === 34 /* " */ || c === 96 /* ` */) this.quoted(c, true);
      else if (c === 35 /* # */ && s.charCodeAt(this.pos + 1) !== 91 /* [ */) {
        if (this.lineComment()) return true;
      } else if (c === 47 /* / */ && s.charCodeAt(this.pos + 1) === 47) {
        if (this.lineComment()) return true;
      } else if (c === 47 && s.charCodeAt(this.pos + 1) === 42 /* * */) {
        const start = this.pos;
        const end = s.indexOf('*/', this.pos + 2);
        this.pos = end < 0 ? s.length : end + 2;
        this.comments.push([start, this.pos]);
      } else if (c === 60 /* < */ && s.startsWith('<<<', this.pos)) {
        const start = this.pos;
        this.heredoc();
        this.strings.push([start, this.pos]);
      } else if (c === 63 /* ? */ && s.charCodeAt(this.pos + 1) === 62 /* > */ && !interpolation) {
        this.pos += 2;
        return true;
      } else if (c === 40 /* ( */) {
        parens++;
        this.brackets.push([this.pos, this.afterArrayKeyword(this.pos)]);
        this.pos++;
      } else if (c === 41 /* ) */ || c === 93 /* ] */) {
        if (c === 41) parens = Math.max(0, parens - 1);
        const open = this.brackets.pop();
        if (open?.[1]) this.arrays.push([open[0], this.pos]);
        this.pos++;
      } else if (c === 91 /* [ */) {
        this.brackets.push([this.pos, true]);
        this.pos++;
      } else if (c === 59 /* ; */) {
        // An abstract or interface method: no body.
        if (pendingFunction && parens === 0) pendingFunction = false;
        this.pos++;
      } else if (c === 123 /* { */) {
        const isBody = pendingFunction && parens === 0;
        stack.push(isBody);
        if (isBody) {
          this.bodies.push([this.pos, -1]);
          pendingFunction = false;
        }
        this.pos++;
      } else if (c === 125 /* } */) {
        if (stack.length === 0 && interpolation) {
          this.pos++;
          return false;
        }
        if (stack.pop()) this.closeBody(this.pos);
        this.pos++;
      } else if (c === 102 /* f */ && s.startsWith('function', this.pos) && this.keywordAt(this.pos, 8)) {
        pendingFunction = true;
        parens = 0;
        this.pos += 8;
      } else this.pos++;
    }
    return true;
  }

  private afterArrayKeyword(at: number): boolean {
    const s = this.s;
    let end = at;
    for (let c = s.charCodeAt(end - 1); c === 32 || c === 9 || c === 10 || c === 13; c = s.charCodeAt(end - 1)) end--;
    if (end < 5 || isWord(s.charCodeAt(end - 6))) return false;
    return (s.charCodeAt(end - 1) | 32) === 121 && s.slice(end - 5, end).toLowerCase() === 'array';
  }

  /** `function` as a keyword: not part of a name, a variable, a property or a method call. */
  private keywordAt(at: number, length: number): boolean {
    const before = at > 0 ? this.s.charCodeAt(at - 1) : 32;
    if (isWord(before) || before === 36 /* $ */) return false;
    if (before === 62 /* > */ && this.s.charCodeAt(at - 2) === 45 /* - */) return false;
    if (before === 58 /* : */ && this.s.charCodeAt(at - 2) === 58) return false;
    return !isWord(this.s.charCodeAt(at + length));
  }

  private closeBody(close: number): void {
    for (let i = this.bodies.length - 1; i >= 0; i--) {
      const body = this.bodies[i]!;
      if (body[1] < 0) {
        body[1] = close;
        return;
      }
    }
  }

  /** A quoted string; double-quoted and backtick strings interpolate {$…}, which is code. */
  private quoted(quote: number, interpolates: boolean): void {
    const s = this.s;
    const start = this.pos;
    const run = quote === 39 ? IN_SINGLE : quote === 34 ? IN_DOUBLE : IN_BACKTICK;
    this.pos++;
    while (this.pos < s.length) {
      run.lastIndex = this.pos;
      if (run.test(s)) this.pos = run.lastIndex;
      if (this.pos >= s.length) break;
      const c = s.charCodeAt(this.pos);
      if (c === 92 /* \ */) this.pos += 2;
      else if (c === quote) {
        this.pos++;
        this.strings.push([start, this.pos]);
        return;
      } else if (interpolates && c === 123 /* { */ && s.charCodeAt(this.pos + 1) === 36 /* $ */) {
        this.pos++;
        this.code(true);
      } else this.pos++;
    }
    this.strings.push([start, this.pos]);
  }

  /** `//` or `#` to the end of the line; true when a `?>` ended it (and PHP mode). */
  private lineComment(): boolean {
    const s = this.s;
    const start = this.pos;
    const newline = s.indexOf('\n', this.pos);
    const end = newline < 0 ? s.length : newline;
    // The next ?> of the file, searched again only once passed: files without one cost one search.
    if (this.nextClose >= 0 && this.nextClose < this.pos) this.nextClose = s.indexOf('?>', this.pos);
    const close = this.nextClose;
    if (close >= 0 && close < end) {
      // The ?> ends the comment and PHP mode: it stays in the skeleton.
      this.comments.push([start, close]);
      this.pos = close + 2;
      return true;
    }
    this.comments.push([start, end]);
    this.pos = end;
    return false;
  }

  /** <<<ID, <<<"ID" (interpolating) or <<<'ID' (nowdoc), to the line that closes it. */
  private heredoc(): void {
    const s = this.s;
    const head = /<<<[ \t]*(["']?)([A-Za-z_\x80-\uffff][A-Za-z0-9_\x80-\uffff]*)\1\r?\n/y;
    head.lastIndex = this.pos;
    const match = head.exec(s);
    if (!match) {
      this.pos += 3;
      return;
    }
    const id = match[2]!;
    const interpolates = match[1] !== "'";
    this.pos = head.lastIndex;
    let lineStart = true;
    while (this.pos < s.length) {
      if (lineStart) {
        let at = this.pos;
        while (s.charCodeAt(at) === 32 || s.charCodeAt(at) === 9) at++;
        if (s.startsWith(id, at) && !isWord(s.charCodeAt(at + id.length))) {
          this.pos = at + id.length;
          return;
        }
      }
      const c = s.charCodeAt(this.pos);
      lineStart = c === 10;
      if (interpolates && c === 92) this.pos += 2;
      else if (interpolates && c === 123 && s.charCodeAt(this.pos + 1) === 36) {
        this.pos++;
        this.code(true);
      } else this.pos++;
    }
  }
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
