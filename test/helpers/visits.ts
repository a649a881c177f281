import { lstatSync, readdirSync } from 'node:fs';
import { walkArchiveTree } from '../../src/archive/walk.js';
import type { ArchiveTree } from '../../src/archive/tree.js';
import { openWalkStart } from '../../src/walk/lookup.js';
import { Walker, type WalkEntry, type WalkVisitor } from '../../src/walk/walker.js';

/** What a walk showed the visitor, one line per call: kind, rel, type, mode, owner, links. */
export interface VisitOptions {
  /** Children whose rel this matches are skipped (the visitor's skip answers true). */
  skip?: RegExp;
  /** Directories whose rel this matches are entered but not descended into. */
  prune?: RegExp;
  /** Rewrites an entry before it is recorded (the overrides `tar --owner/--mode` apply). */
  map?: (entry: WalkEntry) => WalkEntry;
}

export function recorder(options: VisitOptions = {}): { visits: string[]; visitor: WalkVisitor<object> } {
  const visits: string[] = [];
  const line = (kind: string, raw: WalkEntry) => {
    const e = options.map ? options.map(raw) : raw;
    const bytes = e.raw ? ` bytes=${Buffer.from(e.raw.rel).toString('hex')}` : '';
    return `${kind} ${JSON.stringify(e.rel)} ${e.type} ${e.mode.toString(8)} ${e.uid}:${e.gid} n${e.nlink}${bytes}`;
  };
  return {
    visits,
    visitor: {
      enter(dir) {
        visits.push(line('enter', dir));
        return options.prune?.test(dir.rel) ? undefined : {};
      },
      entry(entry) {
        visits.push(line('entry', entry));
      },
      leave(_frame, dir) {
        visits.push(`leave ${JSON.stringify(dir.rel)}`);
      },
      skip(rel) {
        const skipped = options.skip?.test(rel) ?? false;
        visits.push(`skip? ${JSON.stringify(rel)} ${skipped}`);
        return skipped;
      },
      error(rel, _path, error) {
        visits.push(`error ${JSON.stringify(rel)} ${error.code}`);
      },
    },
  };
}

/** The on-disk Walker's visits over a directory. */
export function diskVisits(root: string, options: VisitOptions = {}): string[] {
  const { visits, visitor } = recorder(options);
  const walker = new Walker(openWalkStart(root, '/')!, visitor);
  while (walker.step(1000));
  return visits;
}

/** walkArchiveTree's visits over an archive's tree. */
export function archiveVisits(tree: ArchiveTree, rootRel = '.', options: VisitOptions = {}): string[] {
  const { visits, visitor } = recorder(options);
  walkArchiveTree(tree, rootRel, visitor);
  return visits;
}

/** Every entry under a directory by name bytes with mode, owner, size and mtime (names in `leaveOut` not entered): what "unchanged" means. */
export function snapshot(dir: string, leaveOut: readonly string[] = []): string[] {
  const out: string[] = [];
  const visit = (path: Buffer) => {
    for (const name of readdirSync(path, { encoding: 'buffer' })) {
      if (leaveOut.includes(name.toString('latin1'))) continue;
      const child = Buffer.concat([path, Buffer.from('/'), name]);
      const s = lstatSync(child, { bigint: true });
      out.push(`${child.toString('hex')} ${s.mode} ${s.uid}:${s.gid} ${s.size} m${s.mtimeNs}`);
      if (s.isDirectory()) visit(child);
    }
  };
  visit(Buffer.from(dir));
  return out.sort();
}
