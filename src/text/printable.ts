/**
 * Text that reaches a terminal or a CI log. A file name is data, never an instruction: control
 * characters (C0, DEL, C1) could move the cursor or end a line, bidi overrides and invisible
 * characters make one name look like another, and GitHub's runner acts on "##[" anywhere in a line and
 * on "::" at the start of one. All are shown escaped.
 *
 * Invisible is Unicode's own list, not ours: format characters (Cf: bidi controls, zero-width
 * characters, the tag block that smuggles text past a reader), line and paragraph separators (a line
 * break to some terminals and editors), and every default-ignorable code point (variation selectors,
 * the combining grapheme joiner, Hangul fillers), which fonts draw as nothing. Lone surrogates cannot
 * be written out as UTF-8 at all.
 */
const HIDDEN_CLASS = '[\\p{Cc}\\p{Cf}\\p{Cs}\\p{Zl}\\p{Zp}\\p{Default_Ignorable_Code_Point}]';

const HIDDEN = new RegExp(HIDDEN_CLASS, 'gu');
const ONE_HIDDEN = new RegExp(HIDDEN_CLASS, 'u');

/** Whether any character of the text must not reach a terminal raw: for quoting that escapes it its own way (shell words). */
export function hasHidden(text: string): boolean {
  return ONE_HIDDEN.test(text);
}

function escapeChar(ch: string): string {
  if (ch === '\n') return '\\n';
  if (ch === '\t') return '\\t';
  const code = ch.codePointAt(0)!;
  if (code < 0x100) return `\\x${code.toString(16).padStart(2, '0')}`;
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

export function printable(text: string): string {
  return text
    .replace(HIDDEN, escapeChar)
    .replace(/##\[/g, '##\\x5b')
    .replace(/^(\s*)::/, '$1\\x3a:');
}

/**
 * Serialized JSON that may be printed to a terminal or a CI log: the same characters escaped as \uXXXX
 * (a surrogate pair beyond the BMP), which JSON reads back as the very same string.
 */
export function jsonForLogs(json: string): string {
  return (
    json
      // JSON.stringify already escapes C0 inside strings; outside them, newlines are the layout.
      .replace(HIDDEN, (ch) => (ch.charCodeAt(0) < 0x20 ? ch : jsonEscape(ch)))
      .replace(/##\[/g, '##\\u005b')
  );
}

function jsonEscape(ch: string): string {
  let out = '';
  for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

/** A short, escaped excerpt of a value read from a file, for an error message: never the whole file. */
export function excerpt(value: string, max = 40): string {
  const shown = value.length > max ? `${value.slice(0, max)}…` : value;
  return printable(shown);
}
