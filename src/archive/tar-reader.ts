import { WHAT_AUDIT_TAKES } from './source.js';
import tarStream, { type Header } from 'tar-stream';
import { UsageError } from '../errors.js';
import { HARD_LINK, type TarRecord } from './builder.js';
import { displayName, fromText } from './names.js';
import type { ArchiveNotes } from './notes.js';
import { decompressed, type Chunks } from './source.js';
import { KINDS, FILE } from './tree.js';

/** An entry's content, streamed: a handler that returns a promise must read it to the end. */
export type Body = AsyncIterable<Uint8Array>;
export type MemberHandler = (record: TarRecord, body: Body) => void | Promise<void>;

const KIND_OF: Record<string, number> = {
  file: FILE,
  'contiguous-file': FILE,
  directory: KINDS.indexOf('directory'),
  symlink: KINDS.indexOf('symlink'),
  fifo: KINDS.indexOf('fifo'),
  'block-device': KINDS.indexOf('block-device'),
  'character-device': KINDS.indexOf('char-device'),
  link: HARD_LINK,
};
const UNKNOWN = KINDS.indexOf('unknown');

type Pax = Record<string, string | undefined>;

/**
 * Reads a tar stream (decompressed by its magic bytes) with tar-stream, one header at a time,
 * never holding content: each entry's body flows through to the handler or is drained. ustar,
 * GNU (long names, base-256 numbers) and pax (path, linkpath, uid, gid, uname, gname).
 */
export async function readTar(chunks: Chunks, label: string, notes: ArchiveNotes, onMember: MemberHandler): Promise<void> {
  // latin1: one char per byte, so a name that is not UTF-8 keeps its bytes (see names.ts).
  const extract = tarStream.extract({ filenameEncoding: 'latin1', allowUnknownFormat: true } as never);
  keepPaxNameBytes(extract);
  const where = { last: undefined as string | undefined, next: 0 };
  let failed: unknown;
  const fail = (error: unknown) => {
    failed ??= error;
    extract.destroy(error as Error);
  };
  const done = new Promise<void>((resolve, reject) => {
    extract.on('finish', resolve);
    extract.on('error', (error) => reject(failed ?? error));
    extract.on('close', () => (failed ? reject(failed) : resolve()));
  });
  // Awaited below, but it may settle while the write loop is busy: never an unhandled rejection.
  done.catch(() => {});
  extract.on('entry', (header, body, next) => {
    // When the parser fails it destroys the current body with the error: that error is the
    // parser's to report, not an uncaught 'error' event of the body.
    body.on('error', () => {});
    let pending: void | Promise<void>;
    try {
      const record = toRecord(header, notes);
      where.last = record.name;
      where.next = (header as Header & { byteOffset?: number }).byteOffset ?? 0;
      where.next += Math.ceil(header.size / 512) * 512;
      pending = onMember(record, body as Body);
    } catch (error) {
      return fail(error);
    }
    if (pending === undefined) {
      // Nothing to drain: go on from a microtask (a direct call would recurse once per entry).
      if (header.size === 0 || header.type === 'directory') queueMicrotask(next);
      else {
        body.on('end', () => next());
        body.resume();
      }
    } else {
      pending.then(() => next(), fail);
    }
  });
  try {
    for await (const chunk of decompressed(chunks, label)) {
      if (failed) break;
      if (!extract.write(chunk)) await Promise.race([new Promise<void>((resolve) => extract.once('drain', () => resolve())), done]);
    }
    if (!failed) extract.end(undefined);
    await done;
  } catch (error) {
    extract.destroy();
    throw tarError(failed ?? error, label, where);
  }
}

function toRecord(header: Header, notes: ArchiveNotes): TarRecord {
  const pax = header.pax as Pax | null | undefined;
  let name = header.name;
  let target = header.linkname ?? undefined;
  if (pax) {
    // Names travel as bytes: as they are when keepPaxNameBytes decoded them, else from text.
    const bytes = pax[RAW_PAX] !== undefined;
    // GNU tar's pax sparse files (format 1.0) hide the real name behind GNUSparseFile.N/.
    const path = pax['GNU.sparse.name'] ?? pax.path;
    if (path !== undefined) name = bytes ? path : fromText(path);
    if (pax.linkpath !== undefined) target = bytes ? pax.linkpath : fromText(pax.linkpath);
    if (!bytes && pax.hdrcharset === 'BINARY')
      notes.add('pax names in binary (hdrcharset=BINARY) read as UTF-8: invalid bytes show as U+FFFD', name);
  }
  let kind = KIND_OF[header.type as string];
  if (kind === undefined) {
    notes.add('entries of a tar type permcheck does not know are audited as type "unknown"', displayName(name));
    kind = UNKNOWN;
  }
  return {
    name,
    kind,
    mode: header.mode ?? 0,
    uid: paxNumber(pax?.uid) ?? header.uid ?? 0,
    gid: paxNumber(pax?.gid) ?? header.gid ?? 0,
    uname: pax?.uname ?? header.uname ?? '',
    gname: pax?.gname ?? header.gname ?? '',
    target,
  };
}

const RAW_PAX = 'permcheck.bytes';
const BYTE_KEYS = new Set(['path', 'linkpath', 'GNU.sparse.name']);

interface ExtractInternals {
  _decodeLongHeader?: (this: ExtractInternals, buffer: Uint8Array) => void;
  _header: { type: string } | null;
  _pax: Pax | null;
  _paxGlobal: Pax | null;
}

/**
 * tar-stream decodes pax records as UTF-8, which turns the bytes of a name that is not UTF-8
 * (GNU tar writes them raw with hdrcharset=BINARY in --format=posix) into U+FFFD, and two such
 * names into one. This decoder, installed on this one parser, keeps path and linkpath as bytes.
 * If a tar-stream release renames its internals, the UTF-8 decoding (and a note) is what is left.
 */
function keepPaxNameBytes(extract: unknown): void {
  const internals = extract as ExtractInternals;
  const decode = internals._decodeLongHeader;
  if (typeof decode !== 'function') return;
  internals._decodeLongHeader = function (buffer) {
    if (this._header?.type !== 'pax-header') return decode.call(this, buffer);
    this._pax = { ...this._paxGlobal, ...paxRecords(Buffer.from(buffer.buffer, buffer.byteOffset, buffer.length)), [RAW_PAX]: '1' };
  };
}

/** pax extended header records: "LENGTH KEY=VALUE\n", LENGTH counting the whole record. */
export function paxRecords(buffer: Buffer): Pax {
  const records: Pax = {};
  for (let at = 0; at < buffer.length;) {
    const space = buffer.indexOf(0x20, at);
    const length = space < 0 ? NaN : Number(buffer.toString('latin1', at, space));
    if (!(length > 0) || at + length > buffer.length) break;
    const equals = buffer.indexOf(0x3d, space + 1);
    if (equals < 0 || equals >= at + length) break;
    const key = buffer.toString('utf8', space + 1, equals);
    records[key] = buffer.toString(BYTE_KEYS.has(key) ? 'latin1' : 'utf8', equals + 1, at + length - 1);
    at += length;
  }
  return records;
}

/** A pax uid or gid: a decimal that fits Linux's 32-bit ids, else the header's own field counts. */
function paxNumber(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,10}$/.test(value)) return undefined;
  const id = Number(value);
  return id <= 0xffffffff ? id : undefined;
}

/** What tar-stream, zlib or the entry handler said, as one line naming the archive. */
function tarError(error: unknown, label: string, where: { last: string | undefined; next: number }): unknown {
  if (error instanceof UsageError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const after = where.last === undefined ? 'at the start' : `after the entry ${JSON.stringify(displayName(where.last))}`;
  if (message === 'Unexpected end of data') {
    if (where.last === undefined) return new UsageError(`${label}: not a tar archive (too short for a tar header)${WHAT_AUDIT_TAKES}`);
    return new UsageError(`${label}: truncated tar archive (it ends inside an entry, ${after})`);
  }
  if (message.startsWith('Invalid tar header')) {
    return new UsageError(
      `${label}: not a tar archive, or a corrupt one (no valid tar header at byte ${where.next}, ${after})${where.last === undefined ? WHAT_AUDIT_TAKES : ''}`,
    );
  }
  if (message === 'Header exceeds max size') return new UsageError(`${label}: a pax or long-name header larger than 4 MiB (${after})`);
  if (message === 'Invalid header') return new UsageError(`${label}: a tar header with an invalid size (${after})`);
  return error;
}
