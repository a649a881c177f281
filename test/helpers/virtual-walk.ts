import type { EntryType } from '../../src/access/types.js';
import { AuditEngine } from '../../src/audit/engine.js';
import { toFinding } from '../../src/audit/finding.js';
import type { AuditSettings, Candidate, Finding, Subject } from '../../src/rules/contract.js';
import { CompiledPolicy, type PolicyRule } from '../../src/policy/compile.js';
import { DEFAULT_CREATION } from '../../src/predict/model.js';
import type { AccessLevel } from '../../src/policy/schema.js';
import type { TraverseBlock } from '../../src/rules/traverse-denied.js';
import type { WalkEntry } from '../../src/walk/walker.js';
import { names } from './model.js';

export interface VirtualEntry {
  path: string;
  type?: EntryType;
  mode: number;
  uid?: number;
  gid?: number;
}

export const WEB_ID = 33;
export const DEPLOY_ID = 1001;
export const SHARED = 2000;

export const SUBJECTS: Subject[] = [
  role('web', WEB_ID, [WEB_ID, SHARED]),
  role('cli', DEPLOY_ID, [DEPLOY_ID, SHARED]),
  { name: 'others', principal: { uid: -1, gids: [] }, role: undefined },
];

function role(name: string, uid: number, gids: number[]): Subject {
  return {
    name,
    principal: { uid, gids },
    role: {
      name,
      uid,
      gid: gids[0]!,
      gids,
      user: `u${uid}`,
      groups: gids.map(String),
      origin: 'test',
      umask: 0o022,
      umaskOrigin: 'test',
      sources: [],
      create: DEFAULT_CREATION,
    },
  };
}

export function settings(overrides: Partial<AuditSettings> = {}): AuditSettings {
  return {
    subjects: SUBJECTS,
    severities: {},
    umaskByUid: new Map(),
    defaultUmask: 0o022,
    sharedGid: SHARED,
    // As when deploy runs the audit on its own tree: its fixes are commands (engine.test.ts has root's case).
    trustedUids: [0, DEPLOY_ID],
    rootSafe: true,
    ...overrides,
  };
}

export function rule(match: string | string[], access: Record<string, AccessLevel>, extra: Partial<PolicyRule> = {}): PolicyRule {
  return {
    match: Array.isArray(match) ? match : [match],
    levels: SUBJECTS.map((s) => access[s.name]),
    secret: undefined,
    owner: undefined,
    group: undefined,
    ...extra,
  };
}

/**
 * Feed the engine a tree held in memory, in the order the walker would (names sorted, depth
 * first), and collect what it reports: the engine and the aggregation without a file system.
 */
export function virtualAudit(
  entries: VirtualEntry[],
  rules: PolicyRule[],
  options: { settings?: AuditSettings; ignore?: string[]; ancestorBlocks?: (TraverseBlock | undefined)[] } = {},
): { findings: Finding[]; candidates: Candidate[] } {
  const auditSettings = options.settings ?? settings();
  const candidates: Candidate[] = [];
  const engine = new AuditEngine({
    settings: auditSettings,
    policy: new CompiledPolicy(rules, options.ignore ?? [], auditSettings.subjects.length),
    ancestorBlocks: options.ancestorBlocks ?? auditSettings.subjects.map(() => undefined),
    emit: (c) => candidates.push(c),
  });
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const toWalk = (e: VirtualEntry): WalkEntry => ({
    path: `/v/${e.path}`,
    rel: e.path,
    type: e.type ?? 'file',
    mode: e.mode,
    uid: e.uid ?? DEPLOY_ID,
    gid: e.gid ?? SHARED,
    dev: 1,
    ino: entries.indexOf(e) + 2,
    nlink: 1,
  });
  const childrenOf = (dir: string) =>
    entries
      .filter(
        (e) =>
          e.path !== '.' &&
          (dir === '.' ? !e.path.includes('/') : e.path.startsWith(`${dir}/`) && !e.path.slice(dir.length + 1).includes('/')),
      )
      .sort((a, b) => (a.path < b.path ? -1 : 1));
  const visit = (dir: VirtualEntry, parent: ReturnType<AuditEngine['enter']> | undefined) => {
    const frame = engine.enter(toWalk(dir), parent);
    for (const child of childrenOf(dir.path)) {
      if (engine.skip(child.path, frame)) continue;
      if (child.type === 'directory') visit(child, frame);
      else engine.entry(toWalk(child), frame);
    }
    engine.leave(frame);
  };
  visit(byPath.get('.') ?? { path: '.', type: 'directory', mode: 0o755 }, undefined);
  return { candidates, findings: candidates.map((c) => toFinding(c, { settings: auditSettings, names })) };
}

export const d = (path: string, mode: number, uid?: number, gid?: number): VirtualEntry => ({ path, type: 'directory', mode, uid, gid });
export const f = (path: string, mode: number, uid?: number, gid?: number): VirtualEntry => ({ path, type: 'file', mode, uid, gid });
