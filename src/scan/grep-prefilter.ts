import { execFile, spawn } from 'node:child_process';
import type { ScanNote } from './types.js';

/**
 * The first stage of the scan done by GNU grep, in C, on another core: reading every *.php file and
 * matching names is most of the scan's cost on a vendor tree. Two greps in a pipe, each a fast kind
 * of search: the first lists the files with something that can be a mode literal (a run of four
 * octal digits after a 0, a umask, octdec, 0o…: one cheap regular expression), the second keeps
 * those that name a function or setting that takes a mode (a fixed list). Only these are read by
 * permcheck itself, safely (O_NOFOLLOW, regular files only), and the few that pass its own tests
 * are parsed. grep -r follows no symlink below its argument and -D skip opens no FIFO or device.
 *
 * The literal test is a little narrower than the JavaScript prefilter's: a file whose only mode is
 * a two-digit literal (077) or an intval('…', 8) is not found this way.
 */
export const LITERAL_PATTERN = '0[0-7]{3}|umask|octdec|0[oO][0-7]';

/** Substrings of every site the analysis recognizes (prefilter.ts SITE), case as code writes them. */
export const SITE_NAMES = [
  'chmod',
  'CHMOD_',
  'mkdir',
  'umask',
  'makeDirectory',
  'ensureDirectoryExists',
  "permission'",
  'permission"',
  "permissions'",
  'permissions"',
  'filePermission',
  '_file_perms',
  '_dir_perms',
  'VisibilityConverter',
  'StreamHandler',
  'RotatingFileHandler',
];

/** Files per run of the second grep. */
const BATCH = 1024;

let available: Promise<boolean> | undefined;

/** GNU grep and GNU xargs, as Debian, RHEL and Alpine's findutils/grep packages ship them. */
export function grepAvailable(): Promise<boolean> {
  // Asked in parallel and without blocking: the audit's walk goes on meanwhile.
  available ??= Promise.all([version('grep'), version('xargs')]).then(
    ([grep, xargs]) => grep.startsWith('grep (GNU grep)') && /GNU findutils/.test(xargs),
  );
  return available;
}

function version(command: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(command, ['--version'], { encoding: 'utf8' }, (_error, stdout) => resolve(stdout ?? ''));
  });
}

/**
 * The arguments of the two stages, run in '.': `grep LIST | xargs NARROW` prints the candidates,
 * NUL-terminated. The benchmark runs the same pipeline without the scan that follows it.
 */
export function grepStages(): { list: string[]; narrow: string[] } {
  const names = SITE_NAMES.flatMap((name) => ['-e', name]);
  return {
    list: ['-rlZ', '-D', 'skip', '--include=*.php', '-E', LITERAL_PATTERN, '--', '.'],
    // Small batches: the first candidates reach the parser while the first grep still reads the tree,
    // not only once xargs has filled a command line (thousands of names).
    narrow: ['-0', '-r', '-n', String(BATCH), 'grep', '-lZ', '-D', 'skip', '-F', ...names, '--'],
  };
}

export interface GrepCandidates {
  /** Paths relative to the root, as grep printed them (bytes: names need not be UTF-8). */
  files: Buffer[];
  /** What grep could not read, as notes. */
  notes: ScanNote[];
}

/**
 * The *.php files under `root` that may set a mode, as grep finds them; `onFiles` gets them in
 * batches as they come. Resolves when both greps are done.
 */
export function grepCandidates(root: string, rootFd: number | undefined, onFiles: (files: Buffer[]) => void): Promise<GrepCandidates> {
  const env = { ...process.env, LC_ALL: 'C' };
  // With the root's descriptor as the child's fd 3, the child changes into it (libuv sets up the
  // descriptors before chdir): the directory the audit checked, whatever its path names by then.
  const cwd = rootFd === undefined ? root : '/proc/self/fd/3';
  // Piped: their streams exist (the stdio list is not a literal tuple, so the types cannot tell).
  const extra = rootFd === undefined ? [] : [rootFd];
  const stages = grepStages();
  const list = spawn('grep', stages.list, {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe', ...extra],
  });
  const narrow = spawn('xargs', stages.narrow, {
    cwd,
    env,
    stdio: [list.stdout!, 'pipe', 'pipe', ...extra],
  });
  // Only xargs reads the pipe from now on.
  list.stdout!.destroy();
  const files: Buffer[] = [];
  const notes: ScanNote[] = [];
  let pending = Buffer.alloc(0);
  narrow.stdout!.on('data', (chunk: Buffer) => {
    const data = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    const batch: Buffer[] = [];
    let start = 0;
    for (let end = data.indexOf(0, start); end >= 0; end = data.indexOf(0, start)) {
      // grep prints ./name for the argument '.'.
      const from = data[start] === 0x2e && data[start + 1] === 0x2f ? start + 2 : start;
      batch.push(Buffer.from(data.subarray(from, end)));
      start = end + 1;
    }
    pending = Buffer.from(data.subarray(start));
    if (batch.length > 0) {
      files.push(...batch);
      onFiles(batch);
    }
  });
  let errors = '';
  const collect = (chunk: Buffer) => {
    if (errors.length < 1 << 20) errors += chunk.toString('utf8');
  };
  list.stderr!.on('data', collect);
  narrow.stderr!.on('data', collect);
  // The first grep's output belongs to xargs: its own stream never closes here, so wait for its exit.
  const ended = (child: ReturnType<typeof spawn>, event: 'exit' | 'close') =>
    new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on(event, () => resolve());
    });
  return Promise.all([ended(list, 'exit'), ended(narrow, 'close')]).then(() => {
    for (const line of errors.split('\n')) {
      // "grep: ./a/b.php: Permission denied": a file the scan could not read.
      const match = /^grep: (?:\.\/)?(.*): ([^:]+)$/.exec(line);
      if (match) notes.push({ file: match[1]!, reason: 'unreadable', message: `cannot read: ${match[2]}` });
    }
    return { files, notes };
  });
}
