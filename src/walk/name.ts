/** A directory entry's name: a string, or its bytes when they are not valid UTF-8. */
export type Name = string | { display: string; bytes: Uint8Array };

/**
 * A name from its bytes as a directory listed them. Bytes that are not valid UTF-8 would decode with
 * U+FFFD and could not be found again by that string: such a name keeps its bytes.
 */
export function nameOfBytes(bytes: Uint8Array): Name {
  const display = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (!display.includes('\ufffd')) return display;
  return Buffer.from(display).equals(bytes) ? display : { display, bytes: Uint8Array.prototype.slice.call(bytes) };
}

/** A directory's names in the walk's order: plain code-unit order, the same on every machine. */
export function sortNames(names: Name[]): Name[] {
  return names.every((name) => typeof name === 'string') ? names.sort() : names.sort(compareNames);
}

function compareNames(a: Name, b: Name): number {
  const da = typeof a === 'string' ? a : a.display;
  const db = typeof b === 'string' ? b : b.display;
  if (da !== db) return da < db ? -1 : 1;
  // Two names that only differ in bytes that do not decode: order by the bytes.
  return Buffer.compare(Buffer.from(typeof a === 'string' ? a : a.bytes), Buffer.from(typeof b === 'string' ? b : b.bytes));
}
