/**
 * A path as one shell word that a user can paste safely: single quotes (nothing inside is
 * expanded, so '$(touch x).php' stays a name), bash's $'...' when the name holds control
 * characters such as a newline, and './' before a name that would read as an option.
 */
export function shellQuote(path: string | Uint8Array): string {
  if (typeof path !== 'string') return quoteBytes(path);
  const safe = path.startsWith('-') ? `./${path}` : path;
  if (/[\x00-\x1f\x7f]/.test(safe)) {
    const escaped = [...safe]
      .map((ch) => {
        const code = ch.codePointAt(0)!;
        if (ch === '\\' || ch === "'") return `\\${ch}`;
        if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, '0')}`;
        return ch;
      })
      .join('');
    return `$'${escaped}'`;
  }
  return `'${safe.replace(/'/g, `'\\''`)}'`;
}

/** A name that is not valid UTF-8, byte for byte: $'...' with every other byte escaped. */
function quoteBytes(bytes: Uint8Array): string {
  const prefix = bytes[0] === 0x2d ? './' : '';
  let out = '';
  for (const byte of bytes) {
    if (byte === 0x27 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `$'${prefix}${out}'`;
}

const CLASS_LETTER = { owner: 'u', group: 'g', other: 'o' } as const;

/** "g+rw", "o-w": one chmod clause; X instead of x when applied recursively to files and dirs. */
export function chmodClause(cls: keyof typeof CLASS_LETTER, op: '+' | '-', bits: number, recursive: boolean): string {
  const letters = (bits & 4 ? 'r' : '') + (bits & 2 ? 'w' : '') + (bits & 1 ? (recursive && op === '+' ? 'X' : 'x') : '');
  return `${CLASS_LETTER[cls]}${op}${letters}`;
}

/** chmod [-R] CLAUSE 'path' */
export function chmod(clause: string, path: string | Uint8Array, recursive: boolean): string {
  return `chmod ${recursive ? '-R ' : ''}${clause} ${shellQuote(path)}`;
}

/** Keep the group on what is created later: setgid on every directory of the tree. */
export function setgidDirectories(path: string | Uint8Array, recursive: boolean): string {
  return recursive ? `find ${shellQuote(path)} -type d -exec chmod g+s {} +` : `chmod g+s ${shellQuote(path)}`;
}
