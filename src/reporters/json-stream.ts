import { jsonForLogs } from '../text/printable.js';
/** Where a document's one streamed array sits: object keys and array indexes from the top. */
export type JsonPath = readonly (string | number)[];

/**
 * Between two items of a streamed array, as every streaming format writes it: one item per line, so
 * the output can be read line by line as well as parsed whole. Worker threads join the findings
 * they serialize with it, and the main thread writes those chunks as they are.
 */
export const ITEM_SEPARATOR = ',\n    ';
const FIRST_ITEM = ITEM_SEPARATOR.slice(1);

/**
 * A JSON document (a plain value, laid out as JSON.stringify(value, null, 2) lays it out) printed
 * around one array whose items are written apart, one at a time: `head` ends inside that array,
 * `tail` closes it and the rest of the document. The array's own value in the document (empty)
 * stands in for it. Members after the array may be filled in late (a summary): print the same
 * document again with them and take its tail; the head does not change.
 */
export function printAround(document: unknown, at: JsonPath, hasItems: boolean): { head: string; tail: string } {
  const [head, tail] = split(document, at, '', hasItems);
  return { head, tail: `${tail}\n` };
}

function split(value: unknown, path: JsonPath, indent: string, hasItems: boolean): [head: string, tail: string] {
  if (path.length === 0) {
    if (!Array.isArray(value)) throw new TypeError('printAround: the path does not lead to an array');
    return ['[', hasItems ? `\n${indent}]` : ']'];
  }
  const [key, ...rest] = path;
  const inner = `${indent}  `;
  let members: [prefix: string, value: unknown, streamed: boolean][];
  let close: string;
  if (Array.isArray(value)) {
    members = value.map((item, i) => ['', item, i === key]);
    close = ']';
  } else if (typeof value === 'object' && value !== null) {
    members = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [`${JSON.stringify(k)}: `, v, k === key]);
    close = '}';
  } else {
    throw new TypeError(`printAround: ${JSON.stringify(key)} is not in the document`);
  }
  if (!members.some(([, , streamed]) => streamed)) throw new TypeError(`printAround: ${JSON.stringify(key)} is not in the document`);
  let head = close === ']' ? '[' : '{';
  let tail: string | undefined;
  members.forEach(([prefix, member, streamed], i) => {
    const before = `${i > 0 ? ',' : ''}\n${inner}${prefix}`;
    if (streamed) {
      const [innerHead, innerTail] = split(member, rest, inner, hasItems);
      head += before + innerHead;
      tail = innerTail;
    } else if (tail === undefined) head += before + plain(member, inner);
    else tail += before + plain(member, inner);
  });
  return [head, `${tail!}\n${indent}${close}`];
}

/** What goes before each item of a streamed array: the first one, then each with its separator. */
export class ItemSeparators {
  private first = true;

  next(): string {
    const separator = this.first ? FIRST_ITEM : ITEM_SEPARATOR;
    this.first = false;
    return separator;
  }

  /** Whether any item was written. */
  get any(): boolean {
    return !this.first;
  }
}

function plain(value: unknown, indent: string): string {
  return jsonForLogs(JSON.stringify(value, null, 2) ?? 'null').replace(/\n/g, `\n${indent}`);
}
