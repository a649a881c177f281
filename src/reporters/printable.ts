/**
 * Text for a terminal line: control characters in file names (a newline, an escape sequence)
 * are shown escaped, so a name cannot break a report's lines or drive the terminal.
 */
export function printable(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]/g, (ch) =>
    ch === '\n' ? '\\n' : ch === '\t' ? '\\t' : `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}
