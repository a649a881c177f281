import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { parseInstalled, type InstalledPackages } from './package.js';
import { DEFAULT_MAX_BYTES, readSource } from './read.js';
import { emptyResult, FileScanner, type ScanSetup } from './scan-files.js';
import type { ModeSite, ScanNote, ScanOptions, ScanResult } from './types.js';
import { planUnits, type Unit } from './units.js';
import type { ScanReply, ScanRequest } from './worker.js';

const WORKER_URL = new URL('./worker.js', import.meta.url);

/** Units handed to a worker at a time: small enough to balance, large enough to amortize messages. */
const BATCH = 8;

function installedPackages(root: string, maxBytes: number): InstalledPackages | undefined {
  const read = readSource(
    join(root, 'vendor/composer/installed.json'),
    'vendor/composer/installed.json',
    Buffer.allocUnsafe(maxBytes),
    maxBytes,
  );
  return 'bytes' in read ? parseInstalled(read.bytes.toString('utf8')) : undefined;
}

function merge(into: ScanResult, part: ScanResult): void {
  for (const site of part.sites) into.sites.push(site);
  for (const note of part.notes) into.notes.push(note);
  into.counts.listed += part.counts.listed;
  into.counts.read += part.counts.read;
  into.counts.parsed += part.counts.parsed;
  into.counts.bytes += part.counts.bytes;
}

const bySite = (a: ModeSite, b: ModeSite) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column);
const byNote = (a: ScanNote, b: ScanNote) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);

async function inWorkers(setup: ScanSetup, units: Unit[], jobs: number, into: ScanResult): Promise<void> {
  let next = 0;
  const take = () => units.slice(next, (next += BATCH));
  await Promise.all(
    Array.from({ length: jobs }, () => {
      const worker = new Worker(WORKER_URL, { workerData: setup });
      return new Promise<void>((resolve, reject) => {
        const feed = () => {
          const batch = take();
          worker.postMessage((batch.length > 0 ? { units: batch } : { done: true }) satisfies ScanRequest);
        };
        worker.on('message', (reply: ScanReply) => {
          merge(into, reply.result);
          feed();
        });
        // A worker that throws is a bug: fail the scan with its stack.
        worker.on('error', reject);
        worker.on('exit', () => resolve());
        feed();
      });
    }),
  );
}

/**
 * Scan the PHP code under `root` (vendor included) for modes the code fixes: chmod, mkdir and
 * umask with literal modes, framework equivalents and mode settings. Files that cannot be read
 * or parsed are notes; the scan goes on.
 */
export async function scanPhpModes(root: string, options: ScanOptions = {}): Promise<ScanResult> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const setup: ScanSetup = { root, ignore: options.ignore ?? [], maxBytes, installed: installedPackages(root, maxBytes) };
  const units = planUnits(root);
  const jobs = Math.max(1, Math.min(options.jobs ?? Math.min(availableParallelism(), 4), Math.ceil(units.length / BATCH)));
  const result = emptyResult();
  if (jobs === 1) {
    const scanner = new FileScanner(setup);
    for (const unit of units) scanner.scanUnit(unit, result);
  } else await inWorkers(setup, units, jobs, result);
  result.sites.sort(bySite);
  result.notes.sort(byNote);
  return result;
}
