import { grouped } from '../text/grouped.js';
import { UsageError } from '../errors.js';
import { memberPath, splitPath, displayName, type ByteString } from './names.js';
import { ArchiveTree, DEAD, DIRECTORY, IMPLIED, IMPLIED_DIRECTORY, NONE, ROOT, SYMLINK } from './tree.js';

/** A hard link: not a type of its own on disk, a second name for an inode already there. */
export const HARD_LINK = 0xff;

/** One header of a tar archive, with the names still as the archive stores them. */
export interface TarRecord {
  name: ByteString;
  /** An index into KINDS, or HARD_LINK. */
  kind: number;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  /** A symlink's target as stored, or the name a hard link points to. */
  target: ByteString | undefined;
}

/**
 * Linux's NAME_MAX and PATH_MAX: a longer component or path cannot be unpacked (GNU tar gets
 * ENAMETOOLONG), so it is not audited; this also bounds how deep a hostile archive can nest.
 */
const NAME_MAX = 255;
const PATH_MAX = 4096;
const SLASH = 0x2f;
export const DEFAULT_MAX_ENTRIES = 20_000_000;

const DUPLICATE = 'duplicate entries: the last one wins, as when the archive is unpacked';
const STRIPPED = "leading '/' removed from member names, as GNU tar does";
const DOT_DOT = "entries with '..' in their name are skipped, as GNU tar refuses to unpack them";

/**
 * Applies tar entries to a tree the way unpacking them in order would: a later entry for the
 * same path replaces the earlier one (a directory over a directory only takes its metadata),
 * a hard link shares its target's inode, missing parents are created with the implied default,
 * and nothing goes through a symlink or outside the root.
 */
export class TreeBuilder {
  private cachedDir: ByteString | undefined = '';
  private cachedId = ROOT;
  /** Entries before this one come from lower layers. */
  private layerStart = 0;
  private readonly lastOwner = { uid: -1, uname: '', unameId: 0, gid: -1, gname: '', gnameId: 0 };

  constructor(
    readonly tree: ArchiveTree,
    private readonly maxEntries = DEFAULT_MAX_ENTRIES,
  ) {}

  add(record: TarRecord): void {
    const path = this.normalize(record.name);
    if (path === undefined) return;
    const tree = this.tree;
    if (path === '') {
      if (record.kind === DIRECTORY) this.describe(ROOT, record);
      else tree.notes.add('an entry for the root that is not a directory is ignored', displayName(record.name));
      return;
    }
    const [dir, base] = splitPath(path);
    const parent = this.directory(dir, path);
    if (parent === NONE) return;
    const existing = tree.child(parent, base);
    if (record.kind === HARD_LINK) return this.link(parent, base, existing, record);
    if (existing !== NONE) {
      if (existing >= this.layerStart && !(tree.flags[existing]! & IMPLIED)) tree.notes.add(DUPLICATE, displayName(path));
      if (record.kind === DIRECTORY && tree.kind[existing] === DIRECTORY) {
        this.describe(existing, record);
        return;
      }
      this.remove(existing);
    }
    if (tree.count >= this.maxEntries) {
      throw new UsageError(`${tree.label}: more than ${grouped(this.maxEntries)} entries; permcheck stops here`);
    }
    const id = tree.add(parent, base, record.kind, 0);
    this.describe(id, record);
    if (record.kind === SYMLINK) tree.targets.set(id, record.target ?? '');
    if (record.kind === DIRECTORY) {
      this.cachedDir = path;
      this.cachedId = id;
    }
  }

  /** The next entries are an image layer's: replacing what lower layers have is no duplicate. */
  startLayer(): void {
    this.layerStart = this.tree.count;
  }

  /** A layer's whiteout: `.wh.NAME` hides NAME, `.wh..wh..opq` everything already in the directory. */
  whiteout(name: ByteString): void {
    const path = this.normalize(name);
    if (!path) return;
    const [dir, base] = splitPath(path);
    if (base === '.wh..wh..opq') {
      const opaque = this.tree.find(dir);
      if (opaque !== NONE && this.tree.kind[opaque] === DIRECTORY) for (const child of this.tree.childrenOf(opaque)) this.remove(child);
      return;
    }
    // Other .wh..wh. names are aufs bookkeeping (hard-link directories), not whiteouts.
    if (base.startsWith('.wh..wh.')) return;
    const hidden = this.tree.find(dir === '' ? base.slice(4) : `${dir}/${base.slice(4)}`);
    if (hidden !== NONE && hidden !== ROOT) this.remove(hidden);
  }

  /** Marks what a walk cannot reach and counts links: the tree is read-only from here on. */
  finish(): ArchiveTree {
    const tree = this.tree;
    const links = new Int32Array(tree.count);
    // A parent is always added before its children, so one pass in order settles reachability.
    for (let id = 1; id < tree.count; id++) {
      if (tree.flags[id]! & DEAD) continue;
      const parent = tree.parent[id]!;
      if (tree.flags[parent]! & DEAD) {
        tree.flags[id]! |= DEAD;
        continue;
      }
      if (tree.kind[id] === DIRECTORY) links[parent]!++;
      else links[tree.inode[id]!]!++;
    }
    tree.links = links;
    return tree;
  }

  private normalize(name: ByteString): ByteString | undefined {
    const member = memberPath(name);
    if (member === undefined) {
      this.tree.notes.add(DOT_DOT, displayName(name));
      return undefined;
    }
    const { path, stripped } = member;
    if (stripped !== undefined) this.tree.notes.add(STRIPPED, displayName(name));
    if (path.length >= PATH_MAX) {
      this.tree.notes.add(
        `entries with a path of ${PATH_MAX} bytes or more are skipped: they cannot be unpacked`,
        displayName(path.slice(0, 80)),
      );
      return undefined;
    }
    if (path.length > NAME_MAX && path.split('/').some((part) => part.length > NAME_MAX)) {
      this.tree.notes.add(`entries with a name longer than ${NAME_MAX} bytes are skipped: they cannot be unpacked`, displayName(path));
      return undefined;
    }
    return path;
  }

  /** The directory at `dir`, created as implied where missing; NONE when something else is in the way. */
  private directory(dir: ByteString, path: ByteString): number {
    const cached = this.cachedDir;
    if (dir === cached) return this.cachedId;
    const tree = this.tree;
    let id = ROOT;
    let rest = dir;
    if (cached !== undefined && cached.startsWith(dir) && (dir === '' || cached.charCodeAt(dir.length) === SLASH)) {
      // Back up from a subdirectory (the next file after a subtree, in the order tar writes).
      let levels = dir === '' ? 1 : 0;
      for (let at = cached.indexOf('/', dir.length); at >= 0; at = cached.indexOf('/', at + 1)) levels++;
      id = this.cachedId;
      while (levels-- > 0) id = tree.parent[id]!;
      rest = '';
    } else if (cached && dir.startsWith(cached) && dir.charCodeAt(cached.length) === SLASH) {
      id = this.cachedId;
      rest = dir.slice(cached.length + 1);
    }
    if (rest !== '') {
      for (const part of rest.split('/')) {
        const child = tree.child(id, part);
        if (child === NONE) {
          id = tree.add(id, part, DIRECTORY, IMPLIED);
          tree.mode[id] = IMPLIED_DIRECTORY.mode;
        } else if (tree.kind[child] === DIRECTORY) {
          id = child;
        } else {
          const what = tree.kind[child] === SYMLINK ? 'a symlink (never followed)' : 'an entry that is not a directory';
          tree.notes.add(`entries below ${what} are skipped, as unpacking would refuse them`, displayName(path));
          return NONE;
        }
      }
    }
    this.cachedDir = dir;
    this.cachedId = id;
    return id;
  }

  private link(parent: number, base: ByteString, existing: number, record: TarRecord): void {
    const tree = this.tree;
    const targetPath = this.normalize(record.target ?? '');
    const target = targetPath === undefined ? NONE : tree.find(targetPath);
    if (target === NONE || target === ROOT || tree.kind[target] === DIRECTORY) {
      tree.notes.add('hard links to an entry that is not in the archive are skipped, as unpacking fails on them', displayName(record.name));
      return;
    }
    if (target === existing) return;
    if (existing !== NONE) {
      if (existing >= this.layerStart) tree.notes.add(DUPLICATE, displayName(record.name));
      this.remove(existing);
    }
    const id = tree.add(parent, base, tree.kind[target]!, 0);
    // One inode: the mode and owner are the target's, whatever the link's own header says.
    tree.mode[id] = tree.mode[target]!;
    tree.uid[id] = tree.uid[target]!;
    tree.gid[id] = tree.gid[target]!;
    tree.uname[id] = tree.uname[target]!;
    tree.gname[id] = tree.gname[target]!;
    tree.inode[id] = tree.inode[target]!;
    const symlinkTarget = tree.targets.get(target);
    if (symlinkTarget !== undefined) tree.targets.set(id, symlinkTarget);
  }

  private describe(id: number, record: TarRecord): void {
    const tree = this.tree;
    // A symlink's own mode means nothing and Linux shows 0777 whatever the header says.
    tree.mode[id] = record.kind === SYMLINK ? 0o777 : record.mode & 0o7777;
    tree.uid[id] = record.uid;
    tree.gid[id] = record.gid;
    tree.flags[id]! &= ~IMPLIED;
    // Most entries have the owner of the one before: look names up only when they change.
    const last = this.lastOwner;
    if (record.uid !== last.uid || record.uname !== last.uname) {
      this.name(tree.users, record.uid, record.uname, 'uid');
      last.uid = record.uid;
      last.uname = record.uname;
      last.unameId = tree.strings.intern(record.uname);
    }
    if (record.gid !== last.gid || record.gname !== last.gname) {
      this.name(tree.groups, record.gid, record.gname, 'gid');
      last.gid = record.gid;
      last.gname = record.gname;
      last.gnameId = tree.strings.intern(record.gname);
    }
    tree.uname[id] = last.unameId;
    tree.gname[id] = last.gnameId;
  }

  private name(names: Map<number, string>, id: number, name: string, what: string): void {
    if (name === '') return;
    const known = names.get(id);
    if (known === undefined) names.set(id, name);
    else if (known !== name)
      this.tree.notes.add(`a ${what} with more than one name in the headers: the first one is kept`, `${what} ${id}: ${name}`);
  }

  private remove(id: number): void {
    const tree = this.tree;
    tree.flags[id]! |= DEAD;
    if (tree.kind[id] === DIRECTORY) this.cachedDir = undefined;
  }
}
