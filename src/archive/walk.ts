import { UsageError } from '../errors.js';
import type { WalkVisitor } from '../walk/walker.js';
import { archiveEntry, displayPath, placeOf, resolveInTree, type ArchiveEntry, type Place } from './entry.js';
import { ArchiveTree, DIRECTORY, NONE, NOT_UTF8, ROOT } from './tree.js';

const SLASH = Buffer.from('/');
const EMPTY = Buffer.alloc(0);

interface StackItem<Frame> {
  dir: ArchiveEntry;
  frame: Frame;
  ids: number[];
  names: string[];
  next: number;
  /** What a child's path and rel start with ('release.tar:var/', 'var/'), and their bytes if not UTF-8. */
  pathPrefix: string;
  relPrefix: string;
  raw: { path: Buffer; rel: Buffer } | undefined;
}

/**
 * Drives a walk visitor over an archive's tree in exactly the order the on-disk Walker visits
 * the unpacked tree: names sorted as JavaScript compares strings (ties between names that only
 * differ in invalid bytes by their bytes, as walk/name.ts's sortNames does), depth first,
 * `skip(rel)` asked before each child, `enter` for directories, `entry` for the rest, `leave`
 * after the last child. Sliced like the Walker: `step(budget)` visits at most `budget` entries.
 */
export class ArchiveWalker<Frame> {
  private readonly stack: StackItem<Frame>[] = [];
  private readonly root: number;
  private started = false;
  entries = 0;

  /** `rootRel`: the directory to walk, a path inside the archive ('.', 'var/www/html', '/app'). */
  constructor(
    private readonly tree: ArchiveTree,
    rootRel: string,
    private readonly visitor: WalkVisitor<Frame>,
    private readonly parent?: Frame,
  ) {
    this.root = auditRoot(tree, rootRel);
  }

  step(budget: number): boolean {
    if (!this.started) {
      this.started = true;
      const place = placeOf(this.tree, this.root, '.');
      this.entries++;
      this.push(archiveEntry(this.tree, this.root, place), this.root, this.parent);
    }
    let visited = 0;
    while (this.stack.length > 0 && visited < budget) {
      const top = this.stack[this.stack.length - 1]!;
      if (top.next >= top.ids.length) {
        this.stack.pop();
        this.visitor.leave(top.frame, top.dir);
        continue;
      }
      const index = top.next++;
      const id = top.ids[index]!;
      const name = top.names[index]!;
      const rel = top.relPrefix + name;
      if (this.visitor.skip(rel, top.frame)) continue;
      visited++;
      this.entries++;
      const place: Place = { path: top.pathPrefix + name, rel };
      if (top.raw || this.tree.flags[id]! & NOT_UTF8) {
        const bytes = Buffer.from(this.tree.nameOf(id), 'latin1');
        place.raw = {
          path: Buffer.concat([top.raw?.path ?? Buffer.from(top.pathPrefix), bytes]),
          rel: Buffer.concat([top.raw?.rel ?? Buffer.from(top.relPrefix), bytes]),
        };
      }
      const entry = archiveEntry(this.tree, id, place);
      if (this.tree.kind[id] === DIRECTORY) this.push(entry, id, top.frame);
      else this.visitor.entry(entry, top.frame);
    }
    return this.stack.length > 0;
  }

  private push(dir: ArchiveEntry, id: number, parent: Frame | undefined): void {
    const frame = this.visitor.enter(dir, parent);
    if (frame === undefined) return;
    const { ids, names } = sortedChildren(this.tree, id);
    const pathPrefix = id === ROOT ? `${this.tree.label}:${this.tree.absolute ? '/' : ''}` : `${dir.path}/`;
    const relPrefix = dir.rel === '.' ? '' : `${dir.rel}/`;
    // Only a name below the tree's root can be invalid UTF-8, so the root never has raw bytes.
    const raw = dir.raw && {
      path: Buffer.concat([dir.raw.path, SLASH]),
      rel: dir.rel === '.' ? EMPTY : Buffer.concat([dir.raw.rel, SLASH]),
    };
    this.stack.push({ dir, frame, ids, names, next: 0, pathPrefix, relPrefix, raw });
  }
}

/** Walks the whole subtree at `rootRel` at once; returns the number of entries visited. */
export function walkArchiveTree<Frame>(tree: ArchiveTree, rootRel: string, visitor: WalkVisitor<Frame>, parent?: Frame): number {
  const walker = new ArchiveWalker(tree, rootRel, visitor, parent);
  while (walker.step(4096));
  return walker.entries;
}

/** The directory a walk starts at: symlinks inside the archive followed, never out of it. */
export function auditRoot(tree: ArchiveTree, rootRel: string): number {
  const id = resolveInTree(tree, rootRel);
  const where = rootRel === '.' || rootRel === '' ? 'the root' : rootRel;
  if (id === NONE) throw new UsageError(`${tree.label}: ${where} is not in the ${tree.absolute ? 'image' : 'archive'}`);
  if (tree.kind[id] !== DIRECTORY) throw new UsageError(`${displayPath(tree, tree.pathOf(id))}: not a directory`);
  return id;
}

/**
 * A directory's live children in the walk's order. The Walker sorts names as strings, which is
 * UTF-16 code-unit order (not byte order: U+FF01 sorts after an emoji's surrogates); names that
 * only differ in bytes that do not decode sort by those bytes.
 */
export function sortedChildren(tree: ArchiveTree, id: number): { ids: number[]; names: string[] } {
  const children = tree.childrenOf(id);
  const names = children.map((child) => tree.displayOf(child));
  const order = children.map((_, i) => i);
  order.sort((a, b) => {
    const x = names[a]!;
    const y = names[b]!;
    if (x !== y) return x < y ? -1 : 1;
    const bx = tree.nameOf(children[a]!);
    const by = tree.nameOf(children[b]!);
    return bx === by ? 0 : bx < by ? -1 : 1;
  });
  return { ids: order.map((i) => children[i]!), names: order.map((i) => names[i]!) };
}
