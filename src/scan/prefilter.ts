import type { Anchors } from './skeleton.js';

/**
 * The cheap test that decides which files the PHP parser sees. Reading and searching every file is
 * most of the scan's cost on a vendor tree, so the first stage is a few byte searches on the raw
 * buffer (Buffer.indexOf runs Boyer-Moore-Horspool natively; one regular expression over the same
 * bytes measured 1.5x slower). Only files that pass are decoded and searched more precisely.
 */

/**
 * Stage one: a file without any of these bytes cannot set a mode. Substrings cover families:
 * 'hmod' chmod, lchmod, file_chmod_*; 'HMOD_' FS_CHMOD_FILE/DIR; 'ermission' Laravel's
 * 'permission(s)' and Monolog's filePermission; '_perms' Smarty's _file_perms/_dir_perms; 'Handler'
 * Monolog's StreamHandler and RotatingFileHandler, whose filePermission is often positional.
 * touch() takes no mode: it only matters after a umask() in the same function, which 'umask' catches.
 */
const NAMES = [
  'hmod',
  'mkdir',
  'umask',
  'ermission',
  'HMOD_',
  '_perms',
  'makeDirectory',
  'DirectoryExists',
  'VisibilityConverter',
  'Handler',
].map((name) => Buffer.from(name, 'latin1'));

export function mentionsModeNames(bytes: Uint8Array): boolean {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const name of NAMES) if (buffer.indexOf(name) >= 0) return true;
  return false;
}

/**
 * Where a mode is used or set, more precisely than stage one. PHP function names ignore case,
 * but stage one already assumes code writes them in lower case (as every framework does).
 */
const SITE =
  /\b(?:l?chmod|mkdir|umask|touch|makeDirectory|ensureDirectoryExists)\s*\(|['"](?:chmod|mkdir|umask)['"]|FS_CHMOD_(?:FILE|DIR)|file_chmod_(?:file|directory)|['"]permissions?['"]|filePermission|_(?:file|dir)_perms\b|VisibilityConverter|(?:StreamHandler|RotatingFileHandler)\s*\(/g;

/** Something that can be a mode: an octal literal, a literal umask, octdec('755'). */
const MODE_LITERAL = /\b0[0-7]{2,4}\b|\b0[oO][0-7_]+\b|\bumask\s*\(\s*\d|\boctdec\s*\(|\bintval\s*\([^,()]*,\s*8\s*\)/g;

/**
 * Stage two, on the decoded text: offsets of every site and every mode literal, or undefined when
 * the file has no site or no literal (a mode hard-coded in PHP is written in octal in practice; a
 * decimal 420 is not found, nor a mode from another file's constant).
 */
export function modeAnchors(code: string): Anchors | undefined {
  // Literals first: measured on Debian's PHP, as selective as the sites and half the time.
  const literals = offsets(MODE_LITERAL, code);
  if (literals.length === 0) return undefined;
  const sites = offsets(SITE, code);
  return sites.length === 0 ? undefined : { sites, literals };
}

function offsets(pattern: RegExp, code: string): number[] {
  const out: number[] = [];
  pattern.lastIndex = 0;
  for (let match = pattern.exec(code); match; match = pattern.exec(code)) out.push(match.index);
  return out;
}
