import { closeSync, constants, fsyncSync, openSync, writeSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { Names } from '../access/describe.js';
import type { Trust } from '../trust/trust.js';
import { readTrustedFile } from '../trust/trusted-file.js';
import type { PlannedChange } from './apply.js';

/** The first line of an undo journal: which tree it belongs to. */
export interface JournalHeader {
  permcheckUndo: 1;
  root: string;
  dev: number;
  ino: number;
  created: string;
  changes: number;
}

/** Journals of a million changes run to a few hundred MB; anything bigger is not one of ours. */
const JOURNAL_LIMIT = 1024 * 1024 * 1024;

/**
 * Write the undo journal before the first change: every entry's device, inode and state before and
 * after, one JSON line each, created exclusively (never through a link, never over a file) with mode
 * 0600, and synced to disk, so an interrupted fix can always be undone.
 */
export function writeJournal(file: string, header: JournalHeader, changes: readonly PlannedChange[]): void {
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot write the undo journal ${file}: ${code === 'EEXIST' ? 'it already exists' : (error as Error).message}`);
  }
  try {
    const lines = [
      JSON.stringify(header),
      ...changes.map((change) => JSON.stringify({ ...change, raw: change.raw ? Buffer.from(change.raw).toString('hex') : undefined })),
    ];
    let chunk = '';
    for (const line of lines) {
      chunk += `${line}\n`;
      if (chunk.length > 1 << 20) {
        writeSync(fd, chunk);
        chunk = '';
      }
    }
    writeSync(fd, chunk);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Read a journal back, as trusted a file as a config must be: it decides what permcheck changes. */
export function readJournal(file: string, trust: Trust, names: Names): { header: JournalHeader; changes: PlannedChange[] } {
  const text = readTrustedFile(file, { what: 'undo journal', trust, names, maxBytes: JOURNAL_LIMIT });
  const lines = text.split('\n').filter((line) => line !== '');
  const bad = (line: number, why: string) => new UsageError(`undo journal ${file}:${line}: ${why}`);
  let header: JournalHeader;
  try {
    header = JSON.parse(lines[0] ?? '') as JournalHeader;
  } catch {
    throw bad(1, 'not a permcheck undo journal');
  }
  if (header.permcheckUndo !== 1) throw bad(1, 'not a permcheck undo journal');
  const changes = lines.slice(1).map((line, index) => {
    try {
      const parsed = JSON.parse(line) as PlannedChange & { raw?: string };
      return { ...parsed, raw: typeof parsed.raw === 'string' ? Uint8Array.from(Buffer.from(parsed.raw, 'hex')) : undefined };
    } catch {
      throw bad(index + 2, 'not valid JSON');
    }
  });
  return { header, changes };
}
