import { realpathSync, statSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { join } from 'node:path';
import { parseInstalled, type InstalledPackages } from './package.js';
import { DEFAULT_MAX_BYTES, readSource } from './read.js';
import { emptyResult, FileScanner, type ScanSetup } from './scan-files.js';
import type { ModeSite, ScanNote, ScanOptions, ScanResult } from './types.js';
import { phpFileChunks } from './enumerate.js';
import { grepAvailable, grepCandidates } from './grep-prefilter.js';
import { PatternSet } from '../policy/patterns.js';

/** Files taken from the listing at a time. */
const CHUNK = 256;

/** Time scanned on the calling thread between turns of its event loop. */
const SLICE_MS = 4;

function installedPackages(root: string, maxBytes: number): InstalledPackages | undefined {
  const read = readSource(
    join(root, 'vendor/composer/installed.json'),
    'vendor/composer/installed.json',
    Buffer.allocUnsafe(maxBytes),
    maxBytes,
  );
  return 'bytes' in read ? parseInstalled(read.bytes.toString('utf8')) : undefined;
}

const bySite = (a: ModeSite, b: ModeSite) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column);
const byNote = (a: ScanNote, b: ScanNote) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);

/**
 * Files scanned on this thread, a few milliseconds' worth per turn of the event loop: whatever else
 * runs here (the audit's walk, handing subtrees to its workers) waits about one file, not a chunk.
 */
class ThisThread {
  private readonly queue: (string | Uint8Array)[] = [];
  private next = 0;
  private scanner: FileScanner | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly setup: ScanSetup,
    private readonly into: ScanResult,
  ) {}

  add(files: (string | Uint8Array)[]): void {
    for (const file of files) this.queue.push(file);
    if (this.running) return;
    this.running = this.drain();
    // Awaited in finished(): a failure (a bug) is not unhandled meanwhile.
    this.running.catch(() => {});
  }

  async finished(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    this.scanner ??= new FileScanner(this.setup);
    while (this.next < this.queue.length) {
      const until = performance.now() + SLICE_MS;
      do this.scanner.scanFile(this.queue[this.next++]!, this.into);
      while (this.next < this.queue.length && performance.now() < until);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.running = undefined;
  }
}

/**
 * Scan the PHP code under `root` (vendor included) for modes the code fixes: chmod, mkdir and
 * umask with literal modes, framework equivalents and mode settings. Files that cannot be read
 * or parsed are notes; the scan goes on.
 */
export async function scanPhpModes(given: string, options: ScanOptions = {}): Promise<ScanResult> {
  // Files are read only by their real path (scan/read.ts), so the root is made real first.
  let root = given;
  try {
    root = realpathSync(given);
  } catch {
    // Said below, in the user's terms.
  }
  let isDirectory = false;
  try {
    isDirectory = statSync(root).isDirectory();
  } catch {
    // Said below, in the user's terms.
  }
  if (!isDirectory) throw new UsageError(`${root}: not a directory to scan for PHP code`);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const setup: ScanSetup = { root, ignore: options.ignore ?? [], maxBytes, installed: installedPackages(root, maxBytes) };
  const result = emptyResult();
  const grep = options.prefilter === 'grep' || (options.prefilter === 'auto' && (await grepAvailable()));
  result.prefilter = grep ? 'grep' : 'js';
  const here = new ThisThread(setup, result);
  const add = (files: (string | Uint8Array)[]) => here.add(files);
  if (grep) await grepChunks(root, setup.ignore, result, add, options.rootFd);
  else for await (const files of phpFileChunks(root, setup.ignore, CHUNK)) add(files);
  await here.finished();
  result.sites.sort(bySite);
  result.notes.sort(byNote);
  return result;
}

/** grep's candidates, less what the ignore list leaves out (a file, or a directory above it). */
async function grepChunks(
  root: string,
  ignore: string[],
  result: ScanResult,
  add: (files: (string | Uint8Array)[]) => void,
  rootFd: number | undefined,
) {
  const ignored = new PatternSet(ignore);
  const kept = (rel: string) => {
    if (ignore.length === 0) return true;
    for (let at = rel.indexOf('/'); at >= 0; at = rel.indexOf('/', at + 1)) if (ignored.matches(rel.slice(0, at))) return false;
    return !ignored.matches(rel);
  };
  const found = await grepCandidates(root, rootFd, (files) => {
    const chunk: (string | Uint8Array)[] = [];
    for (const bytes of files) {
      const rel = bytes.toString('utf8');
      if (!kept(rel)) continue;
      // A name that is not UTF-8 is opened by its bytes.
      chunk.push(Buffer.from(rel, 'utf8').equals(bytes) ? rel : new Uint8Array(bytes));
    }
    for (let i = 0; i < chunk.length; i += CHUNK) add(chunk.slice(i, i + CHUNK));
  });
  for (const note of found.notes) if (kept(note.file)) result.notes.push(note);
}
