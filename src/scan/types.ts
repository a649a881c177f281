import type { EntryKind } from '../mode/creation.js';

/** How the scan found the mode's value. */
export type ModeOrigin =
  /** Written at the call: chmod($f, 0644). */
  | 'literal'
  /** A local variable assigned a literal in the same function (Smarty's $_file_perms). */
  | 'variable'
  /** The default of a parameter of the enclosing function: what callers get when they pass none. */
  | 'parameter'
  /** A property of the same class: its declared default or literal assignments in the class. */
  | 'property'
  /** A class constant, or a global constant defined with a literal in the same file. */
  | 'constant'
  /** A configuration value the framework applies: FS_CHMOD_FILE, file_chmod_*, 'permissions'. */
  | 'setting';

/**
 * What the code does with the mode.
 * - chmod: the entry gets exactly `mode`; the umask plays no part.
 * - create: `mode` is requested at creation (mkdir); the process umask still narrows it.
 * - create-forced: requested after the code set its own umask (`umask(0)` earlier in the same
 *   function): the entry gets exactly `mode & ~forcedUmask`, whatever the operator's umask.
 * - umask: the code sets the process umask itself (the value is `mode`).
 */
export type ModeEffect = { kind: 'chmod' } | { kind: 'create' } | { kind: 'create-forced'; umask: number } | { kind: 'umask' };

/** Where the code writes, when the path is written out in the code. */
export interface ModeTarget {
  /** POSIX path: relative to the application root for 'root', as written otherwise. */
  path: string;
  /** 'root': resolved from __DIR__ or a framework helper; 'absolute': a literal '/…'; 'cwd': relative to the process's directory. */
  base: 'root' | 'absolute' | 'cwd';
}

/** The Composer package a file belongs to, when it is under vendor/<vendor>/<name>/. */
export interface ComposerPackage {
  name: string;
  /** From vendor/composer/installed.json: true for require-dev; undefined when not listed there. */
  dev: boolean | undefined;
}

/** One place in the PHP code that decides a mode, reported once however many entries it makes. */
export interface ModeSite {
  /** Relative to the scanned root, POSIX. */
  file: string;
  /** 1-based line and column of the call or setting. */
  line: number;
  column: number;
  /** The call as a reader would name it: 'chmod', 'mkdir', '->makeDirectory', "define('FS_CHMOD_FILE')". */
  call: string;
  /** The mode (or umask) the code uses. */
  mode: number;
  /** Other literal values the same expression can take (the other branch of a ternary). */
  alternatives: number[];
  origin: ModeOrigin;
  /** The variable, parameter, property or constant the mode came through ('$_file_perms'). */
  via?: string;
  /** 1-based line of the literal when it is not at the call. */
  valueLine?: number;
  /** Whether the mode is a file's or a directory's, or a umask; `guessed` when the code does not say. */
  applies: EntryKind | 'umask';
  guessed: boolean;
  effect: ModeEffect;
  target?: ModeTarget;
  /** undefined: the application's own code (not under vendor/). */
  package?: ComposerPackage;
}

/** A file the scan could not judge completely; the scan goes on. */
export interface ScanNote {
  file: string;
  reason: 'unreadable' | 'not-regular' | 'too-large' | 'not-utf8' | 'syntax-error' | 'parse-failed';
  message: string;
  code?: string;
}

export interface ScanCounts {
  /** *.php files enumerated (after the ignore list); with the grep prefilter, the files grep kept. */
  listed: number;
  /** Files read whole (listed minus unreadable, too large or not regular). */
  read: number;
  /** Files that passed the text prefilter and were handed to the PHP parser. */
  parsed: number;
  /** Bytes read. */
  bytes: number;
}

export interface ScanResult {
  sites: ModeSite[];
  notes: ScanNote[];
  counts: ScanCounts;
  /** Who read every file first: GNU grep, or permcheck itself. */
  prefilter?: 'grep' | 'js';
}

export interface ScanOptions {
  /** Globs relative to the root, as in the audit's ignore list. */
  ignore?: string[];
  /** Files larger than this are a note, not read (default 4 MiB). */
  maxBytes?: number;
  /**
   * 'grep': GNU grep reads every file and permcheck only its candidates (grep-prefilter.ts); 'js':
   * permcheck lists and reads every *.php file itself; 'auto' (default): grep when GNU grep is there.
   */
  prefilter?: 'grep' | 'js' | 'auto';
  /**
   * An open, checked descriptor of the root (the audit's): grep starts in it, not at the root's path,
   * which someone who can replace the root could point elsewhere meanwhile.
   */
  rootFd?: number;
}
