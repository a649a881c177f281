import { lazyPhpEngine } from '../scan/php-engine.js';

/** A PHP token as the secret check needs it: strings with their value, names, and punctuation. */
export type Token =
  { t: 'str'; v: string } | { t: 'var'; v: string } | { t: 'id'; v: string } | { t: 'num'; v: string } | { t: 'op'; v: string };

/** php-parser's lexer, built on the first secret read: most threads never judge a secret and never pay for it. */
const lexer = lazyPhpEngine({ parser: { php8: true, suppressErrors: true }, lexer: { all_tokens: true } });

type RawToken = string | [name: string, text: string, line: number];

const SKIPPED = new Set(['T_WHITESPACE', 'T_COMMENT', 'T_DOC_COMMENT', 'T_OPEN_TAG', 'T_OPEN_TAG_WITH_ECHO', 'T_INLINE_HTML']);
const NUMBERS = new Set(['T_LNUMBER', 'T_DNUMBER']);

/**
 * Tokens of a PHP file's code (what is outside <?php ... ?> is skipped, comments are dropped), or
 * undefined when a string, heredoc or comment never ends: then the file is not PHP we can judge.
 * php-parser's lexer (PHP's token_get_all); an interpolated "..." or heredoc is kept as its text,
 * which is enough to find define('NAME', ...), 'key' => ... and require ...; in a config file.
 */
export function phpTokens(text: string): Token[] | undefined {
  let raw: RawToken[];
  try {
    raw = lexer().tokenGetAll(text) as RawToken[];
  } catch {
    return undefined;
  }
  const out: Token[] = [];
  // The text of the "..." or heredoc being read, while one is open.
  let open: string | undefined;
  for (const token of raw) {
    const [name, value] = typeof token === 'string' ? ['', token] : token;
    if (open !== undefined) {
      if (name === 'T_END_HEREDOC' || (name === '' && value === '"')) {
        out.push({ t: 'str', v: open.replace(/\r?\n$/, '') });
        open = undefined;
      } else open += value;
    } else if (name === 'T_START_HEREDOC' || (name === '' && value === '"')) {
      open = '';
    } else if (name === 'T_COMMENT' && value.startsWith('/*') && !value.endsWith('*/')) {
      return undefined;
    } else if (SKIPPED.has(name)) {
      continue;
    } else if (name === 'T_CLOSE_TAG') {
      out.push({ t: 'op', v: ';' });
    } else if (name === 'T_CONSTANT_ENCAPSED_STRING') {
      const quote = value[0]!;
      if (value.length < 2 || value[value.length - 1] !== quote) return undefined;
      out.push({ t: 'str', v: unescape(value.slice(1, -1), quote) });
    } else if (name === 'T_VARIABLE') {
      out.push({ t: 'var', v: value.slice(1) });
    } else if (NUMBERS.has(name)) {
      out.push({ t: 'num', v: value });
    } else if (/^[A-Za-z_\\]/.test(value)) {
      out.push({ t: 'id', v: value });
    } else {
      out.push({ t: 'op', v: value });
    }
  }
  return open === undefined ? out : undefined;
}

function unescape(body: string, quote: string): string {
  return quote === "'" ? body.replace(/\\(['\\])/g, '$1') : body.replace(/\\(["\\$])/g, '$1');
}
