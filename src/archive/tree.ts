import { StringTable } from './strings.js';
import { isUtf8 } from 'node:buffer';
import type { EntryType } from '../access/types.js';
import type { ByteString } from './names.js';
import { ArchiveNotes } from './notes.js';
import { BytePool, childHash, grown } from './pool.js';

export const KINDS: readonly EntryType[] = ['file', 'directory', 'symlink', 'fifo', 'socket', 'block-device', 'char-device', 'unknown'];
export const FILE = 0;
export const DIRECTORY = 1;
export const SYMLINK = 2;

export const ROOT = 0;
export const NONE = -1;

/** Replaced or removed (a later duplicate, a whiteout); its subtree goes with it. */
export const DEAD = 1;
/** Only seen as the parent of other entries: the metadata is a default, not the archive's. */
export const IMPLIED = 2;
/** The name has bytes above 0x7f: decode it as UTF-8 for display. */
export const NOT_ASCII = 4;
/** The name is not valid UTF-8: its bytes must travel with it. */
export const NOT_UTF8 = 8;

/**
 * What a directory gets that the archive only implies (an entry a/b without an entry a/): what
 * GNU tar run as root and a container runtime create, mode 0755 owned by root.
 */
export const IMPLIED_DIRECTORY = { mode: 0o755, uid: 0, gid: 0 } as const;

/**
 * The file system an archive or image unpacks to, without unpacking it: one row per entry in
 * typed columns (parent, first child, next sibling, name in a byte pool, type, mode, owner,
 * inode) and a hash index from (directory, name) to entry. About 60 bytes per entry.
 */
export class ArchiveTree {
  readonly notes = new ArchiveNotes();
  /** uid -> user name and gid -> group name, as the headers give them (the first one seen). */
  readonly users = new Map<number, string>();
  readonly groups = new Map<number, string>();
  /** Set when the archive looks like `docker save` output rather than a file tree. */
  looksLikeImage = false;

  count = 0;
  parent = new Int32Array(1024);
  firstChild = new Int32Array(1024);
  nextSibling = new Int32Array(1024);
  nameStart = new Uint32Array(1024);
  nameLength = new Uint16Array(1024);
  hash = new Uint32Array(1024);
  kind = new Uint8Array(1024);
  flags = new Uint8Array(1024);
  mode = new Uint16Array(1024);
  uid = new Uint32Array(1024);
  gid = new Uint32Array(1024);
  uname = new Uint32Array(1024);
  gname = new Uint32Array(1024);
  /** The entry whose inode this one shares (itself unless it is a hard link). */
  inode = new Int32Array(1024);
  /** After finish(): per directory its subdirectories, per inode its names. */
  links = new Int32Array(0);
  readonly names: BytePool;
  /** Symlink targets, as stored. */
  readonly targets = new Map<number, ByteString>();
  /** Owner and group names; 0 is the empty name. */
  readonly strings = new StringTable(['']);
  private slots = new Int32Array(2048).fill(-1);
  private lastLookup: ByteString | undefined;
  private lastLookupParent = NONE;
  private lastHash = 0;

  /**
   * `label`: how paths show ("release.tar"); `absolute`: an image's file system, whose paths
   * show from '/' (`image.tar:/var/www`) rather than relative (`release.tar:var/www`).
   */
  constructor(
    readonly label: string,
    readonly absolute: boolean,
  ) {
    this.names = new BytePool(label);
    this.add(NONE, '', DIRECTORY, IMPLIED);
    this.mode[ROOT] = IMPLIED_DIRECTORY.mode;
  }

  /** A new entry at the end of `parent`'s children, indexed under its name. */
  add(parent: number, name: ByteString, kind: number, flags: number): number {
    const id = this.count++;
    if (id === this.parent.length) this.grow(id * 2);
    this.parent[id] = parent;
    this.firstChild[id] = NONE;
    this.nameStart[id] = this.names.append(name);
    this.nameLength[id] = name.length;
    this.kind[id] = kind;
    this.flags[id] = flags | (/[^\x00-\x7f]/.test(name) ? NOT_ASCII | (isUtf8Text(name) ? 0 : NOT_UTF8) : 0);
    this.inode[id] = id;
    if (parent !== NONE) {
      this.nextSibling[id] = this.firstChild[parent]!;
      this.firstChild[parent] = id;
      // add() mostly follows a child() lookup of the same name: its hash is known.
      this.hash[id] = name === this.lastLookup && this.lastLookupParent === parent ? this.lastHash : childHash(parent, name);
      this.index(id);
    }
    return id;
  }

  /** The live child of `parent` called `name`, or NONE. */
  child(parent: number, name: ByteString): number {
    const hash = childHash(parent, name);
    this.lastLookup = name;
    this.lastLookupParent = parent;
    this.lastHash = hash;
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = this.slots[slot]!;
      if (id === NONE) return NONE;
      if (this.hash[id] === hash && this.parent[id] === parent && this.names.equals(this.nameStart[id]!, this.nameLength[id]!, name)) {
        return this.flags[id]! & DEAD ? NONE : id;
      }
    }
  }

  /** The live entry at a normalized path, symlinks not followed; NONE when there is none. */
  find(path: ByteString): number {
    let id = ROOT;
    if (path === '') return id;
    for (const part of path.split('/')) {
      if (this.kind[id] !== DIRECTORY) return NONE;
      id = this.child(id, part);
      if (id === NONE) return NONE;
    }
    return id;
  }

  /** An entry's path from the archive's root, as bytes ('' for the root). */
  pathOf(id: number): ByteString {
    const parts: ByteString[] = [];
    for (let at = id; at !== ROOT && at !== NONE; at = this.parent[at]!) parts.push(this.nameOf(at));
    return parts.reverse().join('/');
  }

  nameOf(id: number): ByteString {
    return this.names.latin1(this.nameStart[id]!, this.nameLength[id]!);
  }

  /** The name as people read it: UTF-8 decoded, U+FFFD where it is not valid. */
  displayOf(id: number): string {
    return this.flags[id]! & NOT_ASCII ? this.names.utf8(this.nameStart[id]!, this.nameLength[id]!) : this.nameOf(id);
  }

  /** Live children in the order they were added (last first). */
  childrenOf(id: number): number[] {
    const children: number[] = [];
    for (let child = this.firstChild[id]!; child !== NONE; child = this.nextSibling[child]!) {
      if (!(this.flags[child]! & DEAD)) children.push(child);
    }
    return children;
  }

  /** As stat would say: 2 + subdirectories for a directory, names sharing the inode for the rest. */
  nlink(id: number): number {
    return this.kind[id] === DIRECTORY ? 2 + this.links[id]! : this.links[this.inode[id]!]!;
  }

  /** The entries a walk reaches: the root and every live entry below a live directory. */
  get entries(): number {
    let reached = 0;
    for (let id = 0; id < this.count; id++) if (!(this.flags[id]! & DEAD)) reached++;
    return reached;
  }

  /** What the columns, the name pool and the index hold, in bytes (not the symlink targets). */
  get byteSize(): number {
    const perRow = 4 * 3 + 4 + 2 + 4 + 1 + 1 + 2 + 4 * 4 + 4 + 4;
    return this.parent.length * perRow + this.names.byteLength + this.slots.byteLength;
  }

  private index(id: number): void {
    if (this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    const mask = this.slots.length - 1;
    const hash = this.hash[id]!;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const other = this.slots[slot]!;
      if (
        other === NONE ||
        (this.hash[other] === hash && this.parent[other] === this.parent[id] && this.nameOf(other) === this.nameOf(id))
      ) {
        this.slots[slot] = id;
        return;
      }
    }
  }

  private rehash(size: number): void {
    const old = this.slots;
    this.slots = new Int32Array(size).fill(NONE);
    const mask = size - 1;
    for (const id of old) {
      if (id === NONE || this.flags[id]! & DEAD) continue;
      let slot = this.hash[id]! & mask;
      while (this.slots[slot] !== NONE) slot = (slot + 1) & mask;
      this.slots[slot] = id;
    }
  }

  private grow(capacity: number): void {
    this.parent = grown(this.parent, capacity);
    this.firstChild = grown(this.firstChild, capacity);
    this.nextSibling = grown(this.nextSibling, capacity);
    this.nameStart = grown(this.nameStart, capacity);
    this.nameLength = grown(this.nameLength, capacity);
    this.hash = grown(this.hash, capacity);
    this.kind = grown(this.kind, capacity);
    this.flags = grown(this.flags, capacity);
    this.mode = grown(this.mode, capacity);
    this.uid = grown(this.uid, capacity);
    this.gid = grown(this.gid, capacity);
    this.uname = grown(this.uname, capacity);
    this.gname = grown(this.gname, capacity);
    this.inode = grown(this.inode, capacity);
  }
}

function isUtf8Text(bytes: ByteString): boolean {
  return isUtf8(Buffer.from(bytes, 'latin1'));
}
