import { isWord, type Scanner } from './php-structure.js';
import { endingAt } from './ranges.js';

const MODIFIERS = new Set(['public', 'protected', 'private', 'static', 'final', 'abstract']);

/** Where the declaration whose `function` keyword is at `keyword` starts: back over its modifiers, attributes and comments. */
export function declarationStart(code: string, keyword: number, scanner: Scanner): number {
  let start = keyword;
  for (;;) {
    let end = start;
    for (let c = code.charCodeAt(end - 1); c === 32 || c === 9 || c === 10 || c === 13; c = code.charCodeAt(end - 1)) end--;
    let word = end;
    while (word > 0 && isWord(code.charCodeAt(word - 1))) word--;
    if (word < end && MODIFIERS.has(code.slice(word, end).toLowerCase()) && code.charCodeAt(word - 1) !== 36 /* $ */) {
      start = word;
      continue;
    }
    const before = endingAt(scanner.attributes, end - 1) ?? endingAt(scanner.comments, end);
    if (before === undefined) return start;
    start = before;
  }
}
