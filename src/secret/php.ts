import type { SecretContent } from './content.js';
import { hasUrlPassword, isCredentialName, printableName } from './credential.js';
import { phpTokens, type Token } from './php-tokens.js';

const INCLUDES = new Set(['include', 'include_once', 'require', 'require_once']);
/** Enough to name what a file includes; a config with more is listed by count. */
const MAX_NAMES = 50;
const MAX_INCLUDE_TEXT = 80;

/**
 * A PHP config (wp-config.php, app/etc/env.php, sites/default/settings.php): a secret when it sets a
 * credential-like name to a value: define('DB_PASSWORD', ...), const, 'password' => ..., ['hash_salt']
 * = ..., $db_password = ..., or any of those to a DSN with a password. Without any, a file that
 * includes others only points to where the secrets are (Debian's wp-config.php); one that includes
 * nothing is not a config we understand, and the path decides.
 */
export function phpContent(text: string): SecretContent {
  const tokens = phpTokens(text);
  if (!tokens) return { kind: 'unknown', why: 'its PHP could not be read to the end (a string or comment never closes)' };
  const keys: string[] = [];
  const includes: string[] = [];
  const consider = (name: string, value: Token[]) => {
    if (isEmpty(value) || keys.length >= MAX_NAMES) return;
    if (isCredentialName(name) || value.some((token) => token.t === 'str' && hasUrlPassword(token.v))) {
      const shown = printableName(name);
      if (!keys.includes(shown)) keys.push(shown);
    }
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const word = token.t === 'id' ? token.v.toLowerCase() : '';
    const next = tokens[i + 1];
    if (word === 'define' && is(next, '(') && tokens[i + 2]?.t === 'str' && is(tokens[i + 3], ',')) {
      consider(tokens[i + 2]!.v, expression(tokens, i + 4));
    } else if (word === 'const' && next?.t === 'id' && is(tokens[i + 2], '=')) {
      consider(next.v, expression(tokens, i + 3));
    } else if (token.t === 'str' && is(next, '=>')) {
      consider(token.v, expression(tokens, i + 2));
    } else if (token.t === 'str' && is(tokens[i - 1], '[') && is(next, ']') && is(tokens[i + 2], '=')) {
      consider(token.v, expression(tokens, i + 3));
    } else if (token.t === 'var' && is(next, '=')) {
      consider(`$${token.v}`, expression(tokens, i + 2));
    } else if (INCLUDES.has(word) && includes.length < MAX_NAMES) {
      const shown = render(expression(tokens, i + 1));
      if (shown !== '' && !includes.includes(shown)) includes.push(shown);
    }
  }
  if (keys.length > 0) return { kind: 'credentials', keys };
  if (includes.length > 0) return { kind: 'none', includes };
  return { kind: 'unknown', why: 'it defines no credential permcheck recognises and includes no other file' };
}

function is(token: Token | undefined, op: string): boolean {
  return token?.t === 'op' && token.v === op;
}

/** The tokens of the expression starting at `from`, up to the , ; ) or ] that ends it. */
function expression(tokens: Token[], from: number): Token[] {
  let depth = 0;
  let i = from;
  for (; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.t !== 'op') continue;
    if (token.v === '(' || token.v === '[' || token.v === '{') depth++;
    else if (token.v === ')' || token.v === ']' || token.v === '}') {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && (token.v === ',' || token.v === ';')) break;
  }
  return tokens.slice(from, i);
}

/** '', "", null, false, [] and array(): set to nothing. */
function isEmpty(value: Token[]): boolean {
  const text = value.map((token) => (token.t === 'str' ? `'${token.v}'` : token.v.toLowerCase())).join('');
  return ["''", 'null', 'false', '[]', 'array()', ''].includes(text);
}

/** An include's path as written: a literal as its text, an expression compactly ("ABSPATH . 'wp-settings.php'"). */
function render(value: Token[]): string {
  let tokens = value;
  if (is(tokens[0], '(') && is(tokens[tokens.length - 1], ')') && expression(tokens, 1).length === tokens.length - 2) {
    tokens = tokens.slice(1, -1);
  }
  if (tokens.length === 1 && tokens[0]!.t === 'str') return clip(tokens[0]!.v);
  const text = tokens
    .map((token) => {
      if (token.t === 'str') return `'${token.v}'`;
      if (token.t === 'var') return `$${token.v}`;
      if (token.t === 'op' && (token.v === '.' || token.v === '??')) return ` ${token.v} `;
      if (token.t === 'op' && token.v === ',') return ', ';
      return token.v;
    })
    .join('');
  return clip(text);
}

function clip(text: string): string {
  return text.length > MAX_INCLUDE_TEXT ? `${text.slice(0, MAX_INCLUDE_TEXT - 1)}…` : text;
}
