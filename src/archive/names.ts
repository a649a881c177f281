/**
 * Member names as tar stores them: bytes, not text. They travel as "byte strings" (latin1: one
 * char per byte, so a name that is not valid UTF-8 keeps its bytes) and become text for display
 * only at the edge.
 */
export type ByteString = string;

const SLASH = 0x2f;
const DOT = 0x2e;

/** An empty, '.' or '..' component, or a leading slash: what the fast path cannot take as is. */
const UNUSUAL = /(?:^|\/)\.{0,2}(?:\/|$)/;

export interface MemberPath {
  /** Components joined by '/', without '.' or empty ones; '' is the archive's root. */
  path: ByteString;
  /** The leading slashes removed, if any. */
  stripped: ByteString | undefined;
}

/**
 * Where an entry lands when the archive is unpacked, as GNU tar decides it: leading slashes are
 * removed (safer_name_suffix in src/names.c), and a name with a '..' component is refused, not
 * unpacked (contains_dot_dot in src/extract.c: "Member name contains '..'"); then undefined.
 * No member reaches outside the directory it is unpacked into. The caller says that it happened.
 */
export function memberPath(name: ByteString): MemberPath | undefined {
  let start = 0;
  let end = name.length;
  // './' in front and '/' behind are what `tar -C dir .` writes for every entry: the fast path.
  while (end - start >= 2 && name.charCodeAt(start) === DOT && name.charCodeAt(start + 1) === SLASH) start += 2;
  while (end > start && name.charCodeAt(end - 1) === SLASH) end--;
  const core = start === 0 && end === name.length ? name : name.slice(start, end);
  if (!UNUSUAL.test(core)) return { path: core, stripped: undefined };
  const parts = name.split('/');
  if (parts.includes('..')) return undefined;
  let prefix = 0;
  while (prefix < name.length && name.charCodeAt(prefix) === SLASH) prefix++;
  return {
    path: parts.filter((part) => part !== '' && part !== '.').join('/'),
    stripped: prefix > 0 ? name.slice(0, prefix) : undefined,
  };
}

/** The directory part and the last component of a normalized path ('' for the root's children). */
export function splitPath(path: ByteString): [dir: ByteString, base: ByteString] {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? ['', path] : [path.slice(0, slash), path.slice(slash + 1)];
}

/** Text for people: the bytes decoded as UTF-8 (invalid sequences show as U+FFFD). */
export function displayName(bytes: ByteString): string {
  return isAscii(bytes) ? bytes : Buffer.from(bytes, 'latin1').toString('utf8');
}

/** The byte string of text that arrived already decoded (pax records are UTF-8). */
export function fromText(text: string): ByteString {
  return isAscii(text) ? text : Buffer.from(text, 'utf8').toString('latin1');
}

const NON_ASCII = /[^\x00-\x7f]/;

export function isAscii(text: string): boolean {
  return !NON_ASCII.test(text);
}
