import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { UsageError } from '../errors.js';

export type Chunks = AsyncIterable<Uint8Array>;

/** Where an archive comes from: a path, or a stream (stdin for `-`) and the name to show for it. */
export type ArchiveInput = string | { stream: Chunks; label: string };

/** Said when a file given to audit is no archive at all: most likely it was meant to be a directory. */
export const WHAT_AUDIT_TAKES = "; audit takes the application's root directory, or a tar archive of it";

/** Magic bytes of what is not a tar archive but might be given as one. */
const FORMATS: [format: string, magic: number[]][] = [
  ['gzip', [0x1f, 0x8b]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['lz4', [0x04, 0x22, 0x4d, 0x18]],
  ['zip', [0x50, 0x4b, 0x03, 0x04]],
];

/** The bytes of an input and the label its messages name: `-` is stdin. */
export function openInput(input: ArchiveInput): { chunks: Chunks; label: string } {
  if (typeof input !== 'string') return { chunks: input.stream, label: input.label };
  if (input === '-') {
    // Waiting for a terminal to type a tar archive is never what was meant.
    if (process.stdin.isTTY) throw new UsageError('stdin is a terminal: pipe an archive in (docker save IMAGE | permcheck audit -)');
    return { chunks: process.stdin, label: 'stdin' };
  }
  return { chunks: readFile(input), label: input };
}

async function* readFile(path: string): Chunks {
  // 64 KiB reads: the parser keeps views into each chunk, and 1 MiB chunks doubled peak memory.
  try {
    yield* createReadStream(path, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>;
  } catch (error) {
    throw fileError(error, path);
  }
}

export function fileError(error: unknown, path: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new UsageError(`${path}: no such file`);
  if (code === 'EISDIR') return new UsageError(`${path}: a directory, not an archive (an OCI image layout has an oci-layout file)`);
  if (code === 'EACCES' || code === 'EPERM') return new UsageError(`${path}: permission denied`);
  if (code === 'EIO' || code === 'ELOOP' || code === 'ENOTDIR') return new UsageError(`${path}: cannot be read (${code})`);
  return error;
}

/**
 * The tar bytes of an input, decompressed by what its first bytes say (not by its name, so `-`
 * and a misnamed file work): gzip, zstd, or plain. Other compressions get a clear refusal.
 */
export async function* decompressed(chunks: Chunks, label: string): AsyncGenerator<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  const held: Uint8Array[] = [];
  let length = 0;
  while (length < 6) {
    const next = await iterator.next();
    if (next.done) break;
    held.push(next.value);
    length += next.value.length;
  }
  const rest = (async function* () {
    yield* held;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  })();
  const head = Buffer.concat(held);
  // GNU tar lists an empty file as an empty archive; an audit of nothing would pass in silence.
  if (head.length === 0) throw new UsageError(`${label}: empty, not a tar archive${WHAT_AUDIT_TAKES}`);
  const format = FORMATS.find(([, magic]) => magic.every((byte, i) => head[i] === byte))?.[0];
  if (format === 'gzip') yield* gunzip(rest, label);
  else if (format === 'zstd') yield* unzstd(rest, label);
  else if (format === undefined) yield* rest;
  else
    throw new UsageError(
      `${label}: ${format}-compressed; permcheck reads tar, tar.gz and tar.zst (decompress it and pipe it in: ... | permcheck audit -)`,
    );
}

async function* gunzip(chunks: Chunks, label: string): AsyncGenerator<Uint8Array> {
  const source = Readable.from(chunks, { objectMode: false });
  const inflate = createGunzip({ chunkSize: 1 << 16 });
  source.on('error', (error) => inflate.destroy(error));
  source.pipe(inflate);
  try {
    for await (const chunk of inflate as AsyncIterable<Buffer>) yield chunk;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'Z_BUF_ERROR') throw new UsageError(`${label}: truncated gzip data (it ends before the compressed stream does)`);
    if (typeof code === 'string' && code.startsWith('Z_'))
      throw new UsageError(`${label}: corrupt gzip data (${(error as Error).message})`);
    throw error;
  } finally {
    source.destroy();
  }
}

async function* unzstd(chunks: Chunks, label: string): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  const inflate = new Decompress((data) => {
    if (data.length > 0) out.push(data);
  });
  const push = (chunk: Uint8Array, final: boolean) => {
    try {
      inflate.push(chunk, final);
    } catch (error) {
      const reason = (error as Error).message;
      if (reason === 'unexpected EOF') throw new UsageError(`${label}: truncated zstd data (it ends before the compressed stream does)`);
      throw new UsageError(`${label}: corrupt zstd data (${reason})`);
    }
  };
  for await (const chunk of chunks) {
    push(chunk, false);
    yield* out.splice(0);
  }
  push(new Uint8Array(0), true);
  yield* out.splice(0);
}
