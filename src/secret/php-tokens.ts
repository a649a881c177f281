/** A PHP token as the secret check needs it: strings with their value, names, and punctuation. */
export type Token =
  { t: 'str'; v: string } | { t: 'var'; v: string } | { t: 'id'; v: string } | { t: 'num'; v: string } | { t: 'op'; v: string };

const OPERATORS = [
  '===',
  '!==',
  '<=>',
  '**=',
  '??=',
  '...',
  '=>',
  '==',
  '!=',
  '<=',
  '>=',
  '.=',
  '+=',
  '-=',
  '*=',
  '/=',
  '::',
  '->',
  '??',
  '&&',
  '||',
];

/**
 * Tokens of a PHP file's code (what is outside <?php ... ?> is skipped, comments are dropped), or
 * undefined when a string or comment never ends: then the file is not PHP we can judge. A small
 * lexer, not PHP's: interpolation in "..." and heredocs is kept as text, which is enough to find
 * define('NAME', ...), 'key' => ... and require ...; in a config file.
 */
export function phpTokens(text: string): Token[] | undefined {
  const out: Token[] = [];
  let i = text.indexOf('<?');
  if (i < 0) return out;
  i += text.startsWith('<?php', i) ? 5 : text.startsWith('<?=', i) ? 3 : 2;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '?' && text[i + 1] === '>') {
      // Back to HTML until the next opening tag.
      const next = text.indexOf('<?', i + 2);
      if (next < 0) return out;
      i = next + (text.startsWith('<?php', next) ? 5 : 2);
      out.push({ t: 'op', v: ';' });
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return undefined;
      i = end + 2;
    } else if ((c === '/' && text[i + 1] === '/') || (c === '#' && text[i + 1] !== '[')) {
      while (i < text.length && text[i] !== '\n' && !(text[i] === '?' && text[i + 1] === '>')) i++;
    } else if (c === "'" || c === '"') {
      const end = stringEnd(text, i);
      if (end < 0) return undefined;
      out.push({ t: 'str', v: unescape(text.slice(i + 1, end), c) });
      i = end + 1;
    } else if (c === '<' && text.startsWith('<<<', i)) {
      const heredoc = /^<<<[ \t]*(['"]?)([A-Za-z_]\w*)\1\r?\n/.exec(text.slice(i, i + 80));
      if (!heredoc) {
        out.push({ t: 'op', v: '<' });
        i++;
        continue;
      }
      const body = i + heredoc[0].length;
      const close = new RegExp(`^[ \\t]*${heredoc[2]}\\b`, 'm').exec(text.slice(body));
      if (!close) return undefined;
      out.push({ t: 'str', v: text.slice(body, body + close.index).replace(/\r?\n$/, '') });
      i = body + close.index + close[0].length;
    } else if (c === '$' && /[A-Za-z_]/.test(text[i + 1] ?? '')) {
      const end = nameEnd(text, i + 1);
      out.push({ t: 'var', v: text.slice(i + 1, end) });
      i = end;
    } else if (/[A-Za-z_\\]/.test(c)) {
      const end = nameEnd(text, i);
      out.push({ t: 'id', v: text.slice(i, end) });
      i = end;
    } else if (/[0-9]/.test(c)) {
      const end = /^[0-9][0-9a-fA-FxXoObB_.]*/.exec(text.slice(i, i + 64))![0].length + i;
      out.push({ t: 'num', v: text.slice(i, end) });
      i = end;
    } else {
      const op = OPERATORS.find((candidate) => text.startsWith(candidate, i)) ?? c;
      out.push({ t: 'op', v: op });
      i += op.length;
    }
  }
  return out;
}

function nameEnd(text: string, from: number): number {
  let end = from;
  while (end < text.length && /[\w\\]/.test(text[end]!)) end++;
  return end;
}

/** The index of the quote that closes the string opened at `start`, or -1. */
function stringEnd(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}

function unescape(body: string, quote: string): string {
  return quote === "'" ? body.replace(/\\(['\\])/g, '$1') : body.replace(/\\(["\\$])/g, '$1');
}
