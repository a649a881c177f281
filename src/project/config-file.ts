import { lstatSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Names } from '../access/describe.js';
import { untrustedWriters, writerText, type Writer } from '../access/writers.js';
import { UsageError } from '../errors.js';
import { CONFIG_FILE } from '../policy/config-name.js';
import type { Trust } from '../trust/trust.js';
import { lookUp } from '../walk/lookup.js';
import { printable } from '../text/printable.js';

/** Which config applies, how it was chosen, and what was passed over on the way (for the output). */
export interface ConfigChoice {
  file: string | undefined;
  /** Named with --config: the user vouches for its owner. */
  explicit: boolean;
  /** Directories not searched for a config because others could write them. */
  notes: string[];
}

/**
 * audit: --config, else permcheck.config.json in the audited directory itself. A root that someone
 * other than root, the runner or a --trust user could write is no place for one: they could have put
 * it there, or renamed another file (root's own spare config, say) over it. That is an error, not a
 * silent default: the user meant a config to apply, and --config FILE says which one on purpose.
 */
export function auditConfig(root: string, flag: string | undefined, trust: Trust, names: Names): ConfigChoice {
  if (flag !== undefined) return { file: resolve(flag), explicit: true, notes: [] };
  const file = join(root, CONFIG_FILE);
  if (!exists(file)) return { file: undefined, explicit: false, notes: [] };
  // A config someone else owns is refused by readTrustedFile, in its own words.
  const ownedByTrusted = trust.uids.has(lstatSync(file).uid);
  const writers = ownedByTrusted ? (writersOf(root, trust) ?? []) : [];
  if (writers.length > 0) {
    const owner = writers.find((w) => w.kind === 'owner') as { uid: number } | undefined;
    throw new UsageError(
      `config ${printable(file)} is in ${printable(root)}, where ${writers.map((w) => writerText(w, names)).join(', ')} can put a file or rename one over it: ` +
        `whoever did would decide what permcheck reports. Check it, then pass --config ${printable(file)} to use it anyway` +
        (owner ? `, or --trust ${names.user(owner.uid)}` : ''),
    );
  }
  return { file, explicit: false, notes: [] };
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

/** Who besides the trusted users could add or replace entries in a directory; undefined when it cannot be looked up. */
export function writersOf(dir: string, trust: Trust): Writer[] | undefined {
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
