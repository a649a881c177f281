/** A value as a file states it, with the file and line that state it. */
export interface Located<T = string> {
  value: T;
  file: string;
  line: number;
}

/** The files an include directive names, already read: the host reader globs and reads them. */
export type IncludeLoader = (pattern: string, from: { file: string; line: number }) => { file: string; text: string }[];

/** The lines of a config file without BOM and carriage returns, numbered from 1. */
export function numberedLines(text: string): { text: string; line: number }[] {
  return text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .map((line, index) => ({ text: line.replace(/\r$/, ''), line: index + 1 }));
}

/** `"a b"` or `'a b'` without its quotes; anything else as it is. */
export function unquote(value: string): string {
  const first = value[0];
  if (value.length >= 2 && (first === '"' || first === "'") && value.endsWith(first)) return value.slice(1, -1);
  return value;
}

export function where(located: { file: string; line: number }): string {
  return `${located.file}:${located.line}`;
}
