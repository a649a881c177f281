/**
 * Text that reaches a terminal or a CI log. A file name is data, never an instruction: control
 * characters (C0, DEL, C1) could move the cursor or end a line, bidi overrides and zero-width
 * characters make one name look like another, and GitHub's runner acts on "##[" anywhere in a line and
 * on "::" at the start of one. All are shown escaped.
 */
const INVISIBLE =
  // C0, DEL, C1; soft hyphen; Arabic letter mark; Mongolian vowel separator; zero-width space, joiners and
  // marks; bidi embeddings, overrides and isolates; word joiner and invisible operators; BOM; Hangul fillers.
  /[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u115f\u1160\u3164\ufff9-\ufffb]/g;

const JSON_INVISIBLE = new RegExp(INVISIBLE.source.replace('\\x00-\\x1f', ''), 'g');

function escapeChar(ch: string): string {
  if (ch === '\n') return '\\n';
  if (ch === '\t') return '\\t';
  const code = ch.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

export function printable(text: string): string {
  return text
    .replace(INVISIBLE, escapeChar)
    .replace(/##\[/g, '##\\x5b')
    .replace(/^(\s*)::/, '$1\\x3a:');
}

/**
 * Serialized JSON that may be printed to a terminal or a CI log: the same characters escaped as \uXXXX,
 * which JSON reads back as the very same string.
 */
export function jsonForLogs(json: string): string {
  // JSON.stringify already escapes C0 inside strings; outside them, newlines are the layout.
  return json.replace(JSON_INVISIBLE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/##\[/g, '##\\u005b');
}

/** A short, escaped excerpt of a value read from a file, for an error message: never the whole file. */
export function excerpt(value: string, max = 40): string {
  const shown = value.length > max ? `${value.slice(0, max)}…` : value;
  return printable(shown);
}
