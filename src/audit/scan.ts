import { join, posix } from 'node:path';
import { grants } from '../access/permission.js';
import { firstBlocker } from '../access/traversal.js';
import { toFinding } from './finding.js';
import type { AuditPlan } from './plan.js';
import { countFinding, type AuditHooks } from './run.js';
import type { SeverityCounts } from '../exit-code.js';
import type { Candidate, EntryFacts } from '../rules/contract.js';
import type { CompiledPolicy } from '../policy/compile.js';
import { cascadeCreation } from '../policy/creation.js';
import { PatternSet } from '../policy/patterns.js';
import { PRESETS } from '../policy/presets/index.js';
import type { PresetName } from '../policy/schema.js';
import type { Making, PathCreation } from '../predict/model.js';
import { crossContext, type CrossContextExtra } from '../rules/cross-context.js';
import { noteCandidate, siteCandidate, siteSeverity } from '../rules/hardcoded-mode.js';
import { severityOf } from '../rules/rule.js';
import { RULES } from '../rules/index.js';
import { close, openDirectoryAt } from '../walk/fd.js';
import { lookUp } from '../walk/lookup.js';
import { scanPhpModes } from '../scan/scan.js';
import type { ModeSite, ScanResult } from '../scan/types.js';

/** The scan as part of an audit: started before the walk, on its own threads, reported after it. */
export interface AuditScan {
  /** The findings: one per call site, the files it could not read, and what its modes break where they write. */
  candidates(): Promise<Candidate[]>;
  /** Wait for the scan, then report its findings through the audit's hooks and count them. */
  report(hooks: Pick<AuditHooks, 'finding'>, counts: SeverityCounts): Promise<void>;
}

/**
 * Start the scan for modes hard-coded in PHP, unless the hardcoded-mode rule is off (then nothing is
 * read at all). GNU grep reads the tree in its own processes, beside the walk; this thread parses
 * grep's few candidates, one file per turn of the event loop, between the walk's slices and its
 * workers' replies. Not worker threads: most of the parser's cost on a vendor tree is warming up its
 * JIT, which each thread pays again, and a thread of its own loads php-parser a second time
 * (measured on the 50k-file bench tree: one worker took ~0.6 s more CPU time than this thread, two
 * workers ~2 s more).
 */
export function startAuditScan(plan: AuditPlan): AuditScan | undefined {
  if (plan.settings.severities['hardcoded-mode'] === 'off') return undefined;
  const root = plan.header.resolvedRoot;
  // The scan's own descriptor of the checked root, reopened through the walk's (the same directory
  // whatever its path names now): grep starts only once the version checks answer, and by then a small
  // walk may be over and have closed its descriptor.
  const scanning = (async () => {
    const rootFd = openDirectoryAt(plan.start.fd, '.');
    try {
      return await scanPhpModes(root, { ignore: plan.ignore, prefilter: 'auto', rootFd });
    } finally {
      close(rootFd);
    }
  })();
  // Not awaited until the walk is done: keep an early failure from being an unhandled rejection.
  scanning.catch(() => {});
  const candidates = async () => {
    try {
      return auditCandidates(await scanning, plan);
    } catch (error) {
      // The root vanished or was swapped while grep started in it (a system error, with a code):
      // the audit still holds, without what the scan would have added, and says so. A bug throws on.
      if (typeof (error as NodeJS.ErrnoException).code !== 'string') throw error;
      const message = `the scan for modes set in PHP stopped: ${(error as Error).message}`;
      return [noteCandidate({ file: '.', reason: 'unreadable', message })];
    }
  };
  return {
    candidates,
    async report(hooks, counts) {
      const context = { settings: plan.settings, names: plan.db };
      for (const candidate of await candidates()) {
        const finding = toFinding(candidate, context);
        countFinding(counts, finding);
        hooks.finding(finding);
      }
    },
  };
}

/** What the scan found, as candidates of hardcoded-mode and of cross-context, in file order. */
export function auditCandidates(result: ScanResult, plan: AuditPlan): Candidate[] {
  const only = plan.only.length > 0 ? new PatternSet(plan.only) : undefined;
  const reported = (file: string) => !only || only.matches(file);
  const roles = plan.settings.subjects.flatMap((s) => (s.role ? [s.role] : []));
  const web = roles.find((role) => role.name === 'web');
  // Whoever runs the code (web, usually) makes the entries; the roles that are another user reach them through the group.
  const groupRoles = roles.filter((role) => role.uid !== web?.uid && role.uid !== 0).map((role) => role.name);
  const out: Candidate[] = [];
  const evaluated = new Map<string, Evaluation | undefined>();
  const core = plan.settings.preset ? PRESETS[plan.settings.preset as PresetName]?.core : undefined;
  const inCore = core ? new PatternSet([...core.paths]) : undefined;
  for (const found of result.sites) {
    if (!reported(found.file)) continue;
    // The framework's own code counts as a dependency, named as one.
    const site = !found.package && inCore?.matches(found.file) ? { ...found, package: { name: core!.name, dev: false } } : found;
    const writes = writesIn(site);
    let evaluation: Evaluation | undefined;
    if (writes) {
      const key = `${writes.dir}\0${writes.kind}\0${JSON.stringify(writes.making)}`;
      if (!evaluated.has(key)) evaluated.set(key, evaluateTarget(plan, writes.dir, { [writes.kind]: writes.making }));
      evaluation = evaluated.get(key);
    }
    const breaks = evaluation?.breaks ?? [];
    const severity = siteSeverity(site, breaks, plan.settings);
    if (!severity) continue;
    out.push(
      siteCandidate(severity, { kind: 'site', site, groupRoles, ...(evaluation ? { writesIn: { dir: evaluation.dir, breaks } } : {}) }),
    );
    for (const c of evaluation?.added ?? []) {
      // The first site that decides a directory is named in its cross-context findings.
      if (!(c.extra as CrossContextExtra).site) c.extra = { ...(c.extra as CrossContextExtra), site: { file: site.file, line: site.line } };
      out.push(c);
    }
    if (evaluation) evaluation.added = [];
  }
  for (const note of result.notes) if (reported(note.file)) out.push(noteCandidate(note));
  return out;
}

/** Where a site makes or changes entries, when the code spells out a path in the audited tree, and how. */
export function writesIn(site: ModeSite): { dir: string; kind: 'file' | 'directory'; making: Making } | undefined {
  if (!site.target || site.target.base !== 'root' || site.applies === 'umask') return undefined;
  const making = makingOf(site);
  if (!making) return undefined;
  const path = site.target.path;
  // A setting's 'root' or 'path' names the directory it applies in, or (a log file) the file itself.
  const setting = site.origin === 'setting' || site.call.startsWith("'");
  const isFile = /\.[A-Za-z0-9]{1,5}$/.test(posix.basename(path));
  const dir = setting && !isFile ? path : posix.dirname(path);
  return { dir: dir === '' ? '.' : dir, kind: site.applies, making };
}

function makingOf(site: ModeSite): Making | undefined {
  const request = site.applies === 'file' ? 0o666 : 0o777;
  switch (site.effect.kind) {
    case 'chmod':
      return { request, chmod: { mode: site.mode & 0o7777, lessUmask: false } };
    case 'create':
      return { request: site.mode & 0o7777 };
    case 'create-forced':
      // After the code's own umask(): exactly the request less that umask, whatever the role's.
      return { request: site.mode & 0o7777, umask: site.effect.umask };
    default:
      return undefined;
  }
}

interface Evaluation {
  dir: string;
  /** Roles that lose access to what is made there this way. */
  breaks: string[];
  /** cross-context findings the policy's own model does not already give. */
  added: Candidate[];
}

/**
 * The cross-context check at `dir` as the walk would make it, once with the policy's creation model
 * and once with the site's over it: roles that lose access, and the findings only the site gives.
 * The directory is looked up again (through descriptors, never through a symlink inside the tree);
 * one that is gone or is not a directory is not evaluated.
 */
function evaluateTarget(plan: AuditPlan, dir: string, site: PathCreation): Evaluation | undefined {
  const root = plan.header.resolvedRoot;
  const path = dir === '.' ? root : join(root, dir);
  let found: ReturnType<typeof lookUp>;
  try {
    found = lookUp(path, '/');
  } catch {
    return undefined;
  }
  if (found.resolved !== path || found.target.type !== 'directory') return undefined;
  const subjects = plan.settings.subjects;
  const inside = found.chain.filter((located) => located.path === root || located.path.startsWith(`${root}/`));
  const facts: EntryFacts = {
    rel: dir,
    raw: undefined,
    inode: found.target,
    isDir: true,
    policy: policyOf(plan.policy, dir),
    reachable: Uint8Array.from(subjects, (s, i) => (plan.ancestorBlocks[i] || firstBlocker(inside, s.principal) ? 0 : 1)),
    granted: Uint8Array.from(subjects, (s) => grants(found.target, s.principal)),
    underDefaultAcl: found.parent?.inode.defaultAcl !== undefined,
  };
  // Who loses what is asked even when cross-context itself is off; its findings are added only when it is on.
  const reporting = severityOf(RULES['cross-context'], plan.settings) !== undefined;
  const settings = reporting
    ? plan.settings
    : { ...plan.settings, severities: { ...plan.settings.severities, 'cross-context': RULES['cross-context'].defaultSeverity } };
  const before: Candidate[] = [];
  crossContext.check!(facts, settings, before);
  const after: Candidate[] = [];
  const create = cascadeCreation(facts.policy.create, site);
  crossContext.check!({ ...facts, policy: { ...facts.policy, create } }, settings, after);
  const breaks = [...new Set(after.map((c) => subjects[c.subject]!.name))];
  const added = reporting ? after.filter((c) => !before.some((b) => b.subject === c.subject && b.detail === c.detail)) : [];
  return { dir, breaks, added };
}

function policyOf(policy: CompiledPolicy, rel: string) {
  if (rel === '.') return policy.rootPolicy();
  return policy.policyFor(policy.stateInside(posix.dirname(rel) === '.' ? '' : posix.dirname(rel)), rel);
}
