import { lstatSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Names } from '../access/describe.js';
import { untrustedWriters, writerText } from '../access/writers.js';
import { UsageError } from '../errors.js';
import { CONFIG_FILE } from '../policy/load.js';
import type { Trust } from '../trust/trust.js';
import { lookUp } from '../walk/lookup.js';

/** Which config applies, how it was chosen, and what was passed over on the way (for the output). */
export interface ConfigChoice {
  file: string | undefined;
  /** Named with --config: the user vouches for its owner. */
  explicit: boolean;
  /** Directories not searched for a config because others could write them. */
  notes: string[];
}

/** audit: --config, else permcheck.config.json in the audited directory itself. */
export function auditConfig(root: string, flag: string | undefined): ConfigChoice {
  if (flag !== undefined) return { file: resolve(flag), explicit: true, notes: [] };
  const file = join(root, CONFIG_FILE);
  return { file: exists(file) ? file : undefined, explicit: false, notes: [] };
}

/**
 * access and explain --in: --config, else the nearest permcheck.config.json above `start` (as git finds
 * .git). A directory that someone other than root, the runner or a --trust user could write is passed
 * over: anyone who can write var/ could put a config there, so one found there decides nothing.
 */
export function nearestConfig(start: string, flag: string | undefined, trust: Trust, names: Names): ConfigChoice {
  if (flag !== undefined) return { file: resolve(flag), explicit: true, notes: [] };
  const notes: string[] = [];
  let dir = existingDirectory(resolve(start));
  for (;;) {
    const file = join(dir, CONFIG_FILE);
    const writers = writersOf(dir, trust);
    if (writers === undefined || writers.length === 0) {
      if (exists(file)) return { file, explicit: false, notes };
    } else if (exists(file)) {
      notes.push(
        `ignored ${file}: ${writers.map((w) => writerText(w, names)).join(', ')} can write ${dir}, so anyone of them could have put it there`,
      );
    }
    const parent = dirname(dir);
    if (parent === dir) return { file: undefined, explicit: false, notes };
    dir = parent;
  }
}

function writersOf(dir: string, trust: Trust) {
  try {
    return untrustedWriters(lookUp(dir, '/').target, trust.uids);
  } catch {
    return undefined;
  }
}

/** The nearest existing directory at or above a path (access may name a path that does not exist). */
function existingDirectory(path: string): string {
  let dir = path;
  for (;;) {
    try {
      if (lstatSync(dir).isDirectory()) return dir;
    } catch {
      // Missing, or not reachable: look further up.
    }
    const parent = dirname(dir);
    if (parent === dir) return dir;
    dir = parent;
  }
}

/** Does the file exist? A directory we may not search is an error, never a silent "no config". */
function exists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw new UsageError(`cannot tell whether ${file} exists: ${code === 'EACCES' ? 'permission denied' : (error as Error).message}`);
  }
}
