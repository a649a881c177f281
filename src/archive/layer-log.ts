import { StringTable } from './strings.js';
import type { TarRecord } from './builder.js';
import { BytePool, grown } from './pool.js';

const NO_TARGET = -1;

/**
 * A layer's headers, kept compactly until the layer's turn comes: `docker save` stores layers
 * in no particular order, and a layer's whiteouts must apply before its own entries.
 */
export class LayerLog {
  count = 0;
  private kind = new Uint8Array(256);
  private mode = new Uint16Array(256);
  private uid = new Uint32Array(256);
  private gid = new Uint32Array(256);
  private uname = new Uint32Array(256);
  private gname = new Uint32Array(256);
  private nameStart = new Uint32Array(256);
  private nameLength = new Uint32Array(256);
  private targetStart = new Uint32Array(256);
  private targetLength = new Int32Array(256);
  private readonly pool: BytePool;
  private readonly strings = new StringTable();

  constructor(label: string) {
    this.pool = new BytePool(label);
  }

  push(record: TarRecord): void {
    const at = this.count++;
    if (at === this.kind.length) this.grow(at * 2);
    this.kind[at] = record.kind;
    this.mode[at] = record.mode & 0o7777;
    this.uid[at] = record.uid;
    this.gid[at] = record.gid;
    this.uname[at] = this.strings.intern(record.uname);
    this.gname[at] = this.strings.intern(record.gname);
    this.nameStart[at] = this.pool.append(record.name);
    this.nameLength[at] = record.name.length;
    if (record.target === undefined) this.targetLength[at] = NO_TARGET;
    else {
      this.targetStart[at] = this.pool.append(record.target);
      this.targetLength[at] = record.target.length;
    }
  }

  /** The records in the order the layer stored them. */
  *records(): Generator<TarRecord> {
    for (let at = 0; at < this.count; at++) {
      const length = this.targetLength[at]!;
      yield {
        name: this.pool.latin1(this.nameStart[at]!, this.nameLength[at]!),
        kind: this.kind[at]!,
        mode: this.mode[at]!,
        uid: this.uid[at]!,
        gid: this.gid[at]!,
        uname: this.strings.at(this.uname[at]!),
        gname: this.strings.at(this.gname[at]!),
        target: length === NO_TARGET ? undefined : this.pool.latin1(this.targetStart[at]!, length),
      };
    }
  }

  private grow(capacity: number): void {
    this.kind = grown(this.kind, capacity);
    this.mode = grown(this.mode, capacity);
    this.uid = grown(this.uid, capacity);
    this.gid = grown(this.gid, capacity);
    this.uname = grown(this.uname, capacity);
    this.gname = grown(this.gname, capacity);
    this.nameStart = grown(this.nameStart, capacity);
    this.nameLength = grown(this.nameLength, capacity);
    this.targetStart = grown(this.targetStart, capacity);
    this.targetLength = grown(this.targetLength, capacity);
  }
}
