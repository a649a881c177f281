import { hasHidden } from '../text/printable.js';
/**
 * Shell words a user can paste into a root shell. Single quotes keep everything literal ('$(touch
 * x).php' stays a name); bash's $'...' is used when a name holds what must not reach a terminal raw
 * (control characters, C1, bidi overrides, zero-width characters, bytes that are not UTF-8) or what a
 * CI log would act on ('##['), each escaped.
 */
export function shellQuote(word: string | Uint8Array): string {
  if (typeof word !== 'string') return quoteBytes(word);
  // One list of what must not reach a terminal or a CI log raw: printable.ts's (Unicode's invisible
  // characters, controls, C1, bidi), and '##['. Escaped as the name's UTF-8 bytes, so bash in any
  // locale gives back exactly the name on disk ($'\u...' decodes only in a UTF-8 locale).
  if (hasHidden(word) || word.includes('##[')) return quoteBytes(Buffer.from(word, 'utf8'));
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A name that is not valid UTF-8, byte for byte: $'...' with every other byte escaped. */
function quoteBytes(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) {
    // '#' is always escaped, so the printed line never holds '##['.
    if (byte === 0x27 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte >= 0x20 && byte < 0x7f && byte !== 0x23) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `$'${out}'`;
}

/**
 * A path argument: '.' for the audited directory, './rel' below it (never read as an option, nor by
 * find as an expression such as '!' or '('), or an absolute path (a directory above the root).
 */
export function pathArgument(rel: string | Uint8Array): string {
  if (typeof rel !== 'string') return quoteBytes(Buffer.concat([Buffer.from('./'), Buffer.from(rel)]));
  if (rel === '.' || rel.startsWith('/')) return shellQuote(rel);
  return shellQuote(`./${rel}`);
}

const CLASS_LETTER = { owner: 'u', group: 'g', other: 'o' } as const;

/** "g+rw", "o-w": one chmod clause; X instead of x when applied recursively to files and dirs. */
export function chmodClause(cls: keyof typeof CLASS_LETTER, op: '+' | '-', bits: number, recursive: boolean): string {
  const letters = (bits & 4 ? 'r' : '') + (bits & 2 ? 'w' : '') + (bits & 1 ? (recursive && op === '+' ? 'X' : 'x') : '');
  return `${CLASS_LETTER[cls]}${op}${letters}`;
}

/** chmod [-R] -- CLAUSE 'path' */
export function chmod(clause: string, path: string | Uint8Array, recursive: boolean): string {
  return `chmod ${recursive ? '-R ' : ''}-- ${clause} ${pathArgument(path)}`;
}
