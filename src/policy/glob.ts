import picomatch from 'picomatch';

/** fast-glob's matcher and options: dot files are ordinary files in a deployed tree (.env!). */
const OPTIONS: picomatch.PicomatchOptions = { dot: true, strictBrackets: true };

export type GlobCheck = { ok: true; pattern: string } | { ok: false; reason: string };

/**
 * Validate a policy glob and put it in the form the matcher uses. Globs are relative to the
 * audited root, POSIX style; './x' is 'x', and 'x/' means the directory and all below it ('x/**').
 */
export function checkGlob(glob: string): GlobCheck {
  // White space that a backslash escapes is part of a name (literalGlob writes 'notes\\ '): kept.
  let pattern = glob.replace(/^\s+/, '').replace(/(?<!\\)\s+$/, '');
  if (pattern === '') return { ok: false, reason: 'is empty' };
  if (pattern.startsWith('/')) return { ok: false, reason: 'is absolute; globs are relative to the audited directory' };
  if (pattern.startsWith('!'))
    return { ok: false, reason: "is negated; list exclusions under 'ignore', or order 'paths' entries so a later one overrides" };
  while (pattern.startsWith('./')) pattern = pattern.slice(2);
  // 'a//b' and 'a/./b' name a/b, as the shell would take them; the matcher would match nothing.
  pattern = pattern.replace(/\/{2,}/g, '/').replace(/\/(?:\.\/)+/g, '/');
  if (pattern === '.' || pattern === '') pattern = '.';
  if (pattern.split('/').includes('..')) return { ok: false, reason: "has a '..' segment; globs cannot leave the audited directory" };
  if (pattern.endsWith('/')) pattern = `${pattern.replace(/\/+$/, '')}/**`;
  try {
    picomatch.makeRe(pattern, OPTIONS);
  } catch (error) {
    return { ok: false, reason: `is not a valid glob: ${(error as Error).message}` };
  }
  return { ok: true, pattern };
}

export type Matcher = (relativePath: string) => boolean;

/** A compiled glob. 'X/**' also matches X itself, as picomatch does. */
export function compileGlob(pattern: string): Matcher {
  return picomatch(pattern, OPTIONS);
}

/** The literal directory prefix of a glob ('sites' for 'sites/* /files/**'), '' when it has none. */
export function globBase(pattern: string): string {
  const scan = picomatch.scan(pattern);
  return scan.isGlob ? scan.base : pattern;
}

/** Whether a pattern holds glob syntax, or is a plain path that compares as a string. */
export function isDynamic(pattern: string): boolean {
  return picomatch.scan(pattern).isGlob;
}

/** Whether a pattern escapes a character ('a\\*b'): it must go through the matcher, never compare as text. */
export function hasEscape(pattern: string): boolean {
  return pattern.includes('\\');
}

/**
 * A glob that matches exactly this relative path, whatever its name holds ('*', '!', '(', '[',
 * spaces at either end that --only would trim): for a `permcheck fix --only` of one entry.
 */
export function literalGlob(rel: string): string {
  // A backslash in a name becomes '?': the matcher misreads an escaped backslash next to another escape
  // (a glob for the name 'a\\*' matched nothing), so one character there is left open instead.
  return rel.replace(/[\\*?[\](){}!+@|^$,]/g, (c) => (c === '\\' ? '?' : `\\${c}`)).replace(/^\s|\s$/g, (c) => `\\${c}`);
}

/**
 * The literal path a glob starts with, unescaped ('var/cache' for 'var/cache/*.php', '{x}' for
 * '\\{x\\}/**'); '' when its first segment is a pattern already.
 */
export function literalStart(pattern: string): string {
  const out: string[] = [];
  for (const segment of pattern.split('/')) {
    if (/(?<!\\)[*?[\]{}()!+@]/.test(segment)) break;
    out.push(segment.replace(/\\(.)/g, '$1'));
  }
  return out.join('/');
}
