import { UsageError } from '../errors.js';
import type { ByteString } from './names.js';

type Column = Int32Array | Uint32Array | Uint16Array | Uint8Array;

/** A typed column with room for `capacity` rows, the old rows kept. */
export function grown<T extends Column>(column: T, capacity: number): T {
  const next = new (column.constructor as new (length: number) => T)(capacity);
  next.set(column);
  return next;
}

/** Names above this are refused: a hostile archive must not grow memory without bound. */
export const MAX_POOL_BYTES = 1 << 30;

/**
 * Every name's bytes in one buffer, addressed by start and length: a million names cost their
 * bytes plus eight, where a million strings would cost an object each.
 */
export class BytePool {
  private bytes = Buffer.allocUnsafe(1 << 16);
  used = 0;

  constructor(private readonly label: string) {}

  append(text: ByteString): number {
    const start = this.used;
    const end = start + text.length;
    if (end > this.bytes.length) this.grow(end);
    const bytes = this.bytes;
    // Most names are short: a loop beats the native call's overhead.
    if (text.length < 32) for (let i = 0; i < text.length; i++) bytes[start + i] = text.charCodeAt(i);
    else bytes.write(text, start, 'latin1');
    this.used = end;
    return start;
  }

  equals(start: number, length: number, text: ByteString): boolean {
    if (length !== text.length) return false;
    const bytes = this.bytes;
    for (let i = 0; i < length; i++) if (bytes[start + i] !== text.charCodeAt(i)) return false;
    return true;
  }

  latin1(start: number, length: number): ByteString {
    return this.bytes.toString('latin1', start, start + length);
  }

  utf8(start: number, length: number): string {
    return this.bytes.toString('utf8', start, start + length);
  }

  /** A copy: the pool's buffer moves when it grows. */
  copy(start: number, length: number): Uint8Array {
    return Uint8Array.prototype.slice.call(this.bytes, start, start + length);
  }

  get byteLength(): number {
    return this.bytes.length;
  }

  private grow(needed: number): void {
    if (needed > MAX_POOL_BYTES) {
      throw new UsageError(
        `${this.label}: the names in the archive take more than ${MAX_POOL_BYTES / (1 << 20)} MiB; permcheck stops here`,
      );
    }
    const next = Buffer.allocUnsafe(Math.min(MAX_POOL_BYTES, Math.max(needed, this.bytes.length * 2)));
    this.bytes.copy(next, 0, 0, this.used);
    this.bytes = next;
  }
}

/** FNV-1a over the bytes, mixed with the parent: the key of a child in its directory. */
export function childHash(parent: number, name: ByteString): number {
  let hash = (0x811c9dc5 ^ Math.imul(parent, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
