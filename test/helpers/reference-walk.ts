import fg from 'fast-glob';
import { entryType } from '../../src/access/inode.js';
import { AuditEngine, type Frame } from '../../src/audit/engine.js';
import { toFinding } from '../../src/audit/finding.js';
import type { AuditPlan } from '../../src/audit/plan.js';
import type { Finding } from '../../src/rules/contract.js';
import { MODE_BITS } from '../../src/mode/bits.js';
import type { WalkEntry } from '../../src/walk/walker.js';

interface Node {
  entry: WalkEntry;
  children: Node[];
}

/**
 * The audit by the simplest walk there is: fast-glob lists every entry with its lstat (never
 * following symlinks), the listing becomes a tree sorted by name, and a plain recursion feeds the
 * engine. No slices, no planning, no threads: what the fast paths must reproduce exactly.
 */
export function referenceAudit(plan: AuditPlan): { findings: Finding[]; entries: number } {
  const walkRoot = plan.start.entry.path;
  const listed = fg.sync('**', { cwd: walkRoot, dot: true, onlyFiles: false, followSymbolicLinks: false, stats: true });
  const byRel = new Map<string, Node>();
  const rootStats = fg.sync('.', { cwd: walkRoot, onlyFiles: false, stats: true, dot: true })[0];
  const toEntry = (rel: string, stats: { mode: number; uid: number; gid: number; dev: number; ino: number; nlink: number }): WalkEntry => ({
    path: rel === '.' ? walkRoot : `${walkRoot}/${rel}`,
    rel,
    type: entryType(stats.mode),
    mode: stats.mode & MODE_BITS,
    uid: stats.uid,
    gid: stats.gid,
    dev: stats.dev,
    ino: stats.ino,
    nlink: stats.nlink,
  });
  const root: Node = { entry: toEntry('.', rootStats!.stats!), children: [] };
  byRel.set('.', root);
  for (const item of listed.sort((a, b) => a.path.split('/').length - b.path.split('/').length)) {
    const node: Node = { entry: toEntry(item.path, item.stats!), children: [] };
    byRel.set(item.path, node);
    const parent = item.path.includes('/') ? item.path.slice(0, item.path.lastIndexOf('/')) : '.';
    byRel.get(parent)!.children.push(node);
  }
  const findings: Finding[] = [];
  const context = { settings: plan.settings, names: plan.db };
  const engine = new AuditEngine({
    settings: plan.settings,
    policy: plan.policy,
    ancestorBlocks: plan.ancestorBlocks,
    emit: (c) => findings.push(toFinding(c, context)),
  });
  const name = (node: Node) => node.entry.rel.slice(node.entry.rel.lastIndexOf('/') + 1);
  let entries = 0;
  const visit = (node: Node, parent: Frame | undefined) => {
    entries++;
    const frame = engine.enter(node.entry, parent);
    for (const child of node.children.sort((a, b) => (name(a) < name(b) ? -1 : 1))) {
      if (engine.skip(child.entry.rel, frame)) continue;
      if (child.entry.type === 'directory') visit(child, frame);
      else {
        entries++;
        engine.entry(child.entry, frame);
      }
    }
    engine.leave(frame);
  };
  visit(root, undefined);
  return { findings, entries };
}
