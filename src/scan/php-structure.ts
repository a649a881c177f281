/**
 * Just enough of PHP's lexical structure to find braces that are code: strings (with {$…}
 * interpolation), heredoc and nowdoc, comments, `#[` attributes, and text outside <?php … ?>.
 * It records function bodies, array literals, comments and strings; skeleton.ts decides what
 * the parser can do without.
 */

/** A range of the file: [start, end], such as a function body from its `{` to its `}`. */
export type Body = [open: number, close: number];

/** Runs of code characters that mean nothing to the scanner, skipped natively. */
const ORDINARY = /[^'"`#/<?()[\];{}f]+/y;
/** Runs inside a string up to what can end or interpolate it. */
const IN_DOUBLE = /[^"\\{]+/y;
const IN_SINGLE = /[^'\\]+/y;
const IN_BACKTICK = /[^`\\{]+/y;

/** What follows `function` in a declaration: `&`, then the name. */
const NAME_AFTER = /\s*&?\s*[A-Za-z_\x80-\uffff]/y;

type Bracket = 'plain' | 'array' | 'attribute';

export const isWord = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c >= 128;

export class Scanner {
  pos = 0;
  readonly bodies: Body[] = [];
  /** Comments (left out of the skeleton) and strings (their content is no anchor), in order. */
  readonly comments: Body[] = [];
  readonly strings: Body[] = [];
  /** Array literals, [ … ] and array( … ): big lists of data (WordPress's $_old_files) hold no mode. */
  readonly arrays: Body[] = [];
  /** `#[ … ]` attributes, from the `#` to the `]`, in order. */
  readonly attributes: Body[] = [];
  /** The body of a named function or method (by its `{`) -> where its `function` keyword is. */
  readonly named = new Map<number, number>();
  /** Open ( and [ : for each, whether it starts an array literal or an attribute. */
  private readonly brackets: [at: number, kind: Bracket][] = [];
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
    let pendingName = -1;
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
        this.brackets.push([this.pos, this.afterArrayKeyword(this.pos) ? 'array' : 'plain']);
        this.pos++;
      } else if (c === 41 /* ) */ || c === 93 /* ] */) {
        if (c === 41) parens = Math.max(0, parens - 1);
        const open = this.brackets.pop();
        if (open?.[1] === 'array') this.arrays.push([open[0], this.pos]);
        else if (open?.[1] === 'attribute') this.attributes.push([open[0] - 1, this.pos]);
        this.pos++;
      } else if (c === 91 /* [ */) {
        this.brackets.push([this.pos, s.charCodeAt(this.pos - 1) === 35 /* # */ ? 'attribute' : 'array']);
        this.pos++;
      } else if (c === 59 /* ; */) {
        // An abstract or interface method: no body.
        if (pendingFunction && parens === 0) {
          pendingFunction = false;
          pendingName = -1;
        }
        this.pos++;
      } else if (c === 123 /* { */) {
        const isBody = pendingFunction && parens === 0;
        stack.push(isBody);
        if (isBody) {
          this.bodies.push([this.pos, -1]);
          if (pendingName >= 0) this.named.set(this.pos, pendingName);
          pendingFunction = false;
          pendingName = -1;
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
        pendingName = this.namedAt(this.pos + 8) ? this.pos : -1;
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

  /** After `function`: a name (a declaration, a statement of its own), not `(` (a closure). */
  private namedAt(at: number): boolean {
    NAME_AFTER.lastIndex = at;
    return NAME_AFTER.test(this.s);
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
