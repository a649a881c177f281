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

const isWord = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c >= 128;

class Scanner {
  pos = 0;
  readonly bodies: Body[] = [];
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
      const c = s.charCodeAt(this.pos);
      if (c === 39 /* ' */) this.quoted(39, false);
      else if (c === 34 /* " */ || c === 96 /* ` */) this.quoted(c, true);
      else if (c === 35 /* # */ && s.charCodeAt(this.pos + 1) !== 91 /* [ */) {
        if (this.lineComment()) return true;
      } else if (c === 47 /* / */ && s.charCodeAt(this.pos + 1) === 47) {
        if (this.lineComment()) return true;
      } else if (c === 47 && s.charCodeAt(this.pos + 1) === 42 /* * */) {
        const end = s.indexOf('*/', this.pos + 2);
        this.pos = end < 0 ? s.length : end + 2;
      } else if (c === 60 /* < */ && s.startsWith('<<<', this.pos)) this.heredoc();
      else if (c === 63 /* ? */ && s.charCodeAt(this.pos + 1) === 62 /* > */ && !interpolation) {
        this.pos += 2;
        return true;
      } else if (c === 40 /* ( */) {
        parens++;
        this.pos++;
      } else if (c === 41 /* ) */) {
        parens = Math.max(0, parens - 1);
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
    this.pos++;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 92 /* \ */) this.pos += 2;
      else if (c === quote) {
        this.pos++;
        return;
      } else if (interpolates && c === 123 /* { */ && s.charCodeAt(this.pos + 1) === 36 /* $ */) {
        this.pos++;
        this.code(true);
      } else this.pos++;
    }
  }

  /** `//` or `#` to the end of the line; true when a `?>` ended it (and PHP mode). */
  private lineComment(): boolean {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 10) return false;
      if (c === 63 && s.charCodeAt(this.pos + 1) === 62) {
        this.pos += 2;
        return true;
      }
      this.pos++;
    }
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

/**
 * The skeleton of `code` keeping every function body that contains one of `anchors` (sorted
 * offsets); undefined when nothing can be left out (then parse the file as it is).
 */
export function skeleton(code: string, anchors: readonly number[]): Skeleton | undefined {
  const scanner = new Scanner(code);
  scanner.file();
  const cut: Body[] = [];
  let keptUntil = -1;
  // Outermost first: a body inside one already cut goes with it.
  for (const [open, close] of scanner.bodies.sort((a, b) => a[0] - b[0])) {
    if (close < 0 || open < keptUntil) continue;
    if (close - open < 64 || holdsAnchor(anchors, open, close)) continue;
    cut.push([open, close]);
    keptUntil = close;
  }
  if (cut.length === 0) return undefined;
  const pieces: [number, number][] = [];
  const parts: string[] = [];
  let from = 0;
  let length = 0;
  for (const [open, close] of cut) {
    pieces.push([length, from]);
    parts.push(code.slice(from, open + 1));
    length += open + 1 - from;
    from = close;
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
