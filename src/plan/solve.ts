import type { Target } from '../change/change.js';
import { grants, permits, WRITE_AND_SEARCH } from '../access/permission.js';
import type { Inode } from '../access/types.js';
import { EXECUTE, PERMISSION_BITS, READ, SETGID, SETUID, STICKY, WRITE } from '../mode/bits.js';
import { predictCreated } from '../predict/created.js';
import { predictLoss } from '../predict/loss.js';
import type { AuditSettings } from '../rules/contract.js';
import { expectedMode } from '../rules/mode-drift.js';
import type { EntryNeeds, SubjectNeed } from './needs.js';

export type Solution =
  | { kind: 'target'; target: Target; /** losses of what roles create here that only a umask can stop */ residualLoss: number }
  | { kind: 'infeasible'; reason: string };

type Cls = 'owner' | 'group' | 'other';
const SHIFT: Record<Cls, number> = { owner: 6, group: 3, other: 0 };

interface Candidate {
  uid: number;
  gid: number;
  setgid: boolean;
}

/**
 * The state that satisfies every need of `needs` at once with the least change: owners and groups are
 * tried from what the entry has, the policy's, and the roles' own; for each, the bits each class must
 * and must not have follow from who falls in it. Changing the owner costs most (less when it takes
 * root-owned code to the deploy user), then the group, then each bit, and bits opened to others cost
 * extra. A shared writable directory must also make what one role creates usable by the others.
 */
export function solve(inode: Inode, needs: EntryNeeds, settings: AuditSettings): Solution {
  let best: { target: Target; cost: number; loss: number; lossAfterUmask: number } | undefined;
  let firstConflict: string | undefined;
  for (const candidate of candidates(inode, needs, settings)) {
    const outcome = evaluate(inode, needs, settings, candidate);
    if ('conflict' in outcome) {
      firstConflict ??= outcome.conflict;
      continue;
    }
    if (!best || better(outcome, best)) best = outcome;
  }
  if (!best) return { kind: 'infeasible', reason: firstConflict ?? 'no owner, group and mode satisfies the policy here' };
  return { kind: 'target', target: best.target, residualLoss: best.loss };
}

/**
 * Fewer losses first; then fewer once the roles take the umask advice (a shared group with setgid is
 * what makes that advice work); then the least change.
 */
function better(
  a: { cost: number; loss: number; lossAfterUmask: number },
  b: { cost: number; loss: number; lossAfterUmask: number },
): boolean {
  if (a.loss !== b.loss) return a.loss < b.loss;
  if (a.lossAfterUmask !== b.lossAfterUmask) return a.lossAfterUmask < b.lossAfterUmask;
  return a.cost < b.cost;
}

function candidates(inode: Inode, needs: EntryNeeds, settings: AuditSettings): Candidate[] {
  const roles = settings.subjects.flatMap((s) => (s.role ? [s.role] : []));
  const cli = roles.find((role) => role.name === 'cli');
  const owners =
    needs.owner !== undefined
      ? [needs.owner]
      : unique([
          inode.uid,
          ...(cli ? [cli.uid] : []),
          ...needs.subjects.filter((n) => n.mayOwn && n.required & WRITE).map((n) => settings.subjects[n.subject]!.principal.uid),
        ]);
  const groups = needs.group !== undefined ? [needs.group] : unique([inode.gid, ...roles.flatMap((role) => role.gids)]);
  const setgids = needs.isDir && needs.creators.length > 0 ? [(inode.mode & SETGID) !== 0, true] : [(inode.mode & SETGID) !== 0];
  const out: Candidate[] = [];
  for (const uid of owners.filter((uid) => uid >= 0))
    for (const gid of groups) for (const setgid of unique(setgids)) out.push({ uid, gid, setgid });
  return out;
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

function classOf(uid: number, gids: readonly number[], candidate: Candidate): Cls | 'root' {
  if (uid === 0) return 'root';
  if (uid === candidate.uid) return 'owner';
  if (gids.includes(candidate.gid)) return 'group';
  return 'other';
}

function evaluate(
  inode: Inode,
  needs: EntryNeeds,
  settings: AuditSettings,
  candidate: Candidate,
): { target: Target; cost: number; loss: number; lossAfterUmask: number } | { conflict: string } {
  const required: Record<Cls, number> = { owner: 0, group: 0, other: 0 };
  const forbidden: Record<Cls, number> = { owner: 0, group: 0, other: needs.otherForbidden };
  const who: Record<Cls, string[]> = { owner: [], group: [], other: [] };
  for (const need of needs.subjects) {
    const subject = settings.subjects[need.subject]!;
    const cls = classOf(subject.principal.uid, subject.principal.gids, candidate);
    if (cls === 'root') continue;
    if (cls === 'owner' && !need.mayOwn) return { conflict: `${subject.name} would own it, and an owner can always change its mode` };
    required[cls] |= need.required;
    forbidden[cls] |= need.forbidden;
    if (need.required || need.forbidden) who[cls].push(describeNeed(subject.name, need));
  }
  for (const cls of ['owner', 'group', 'other'] as const) {
    if (required[cls] & forbidden[cls]) {
      return { conflict: conflictText(cls, candidate, who[cls], settings) };
    }
  }
  let mode = inode.mode;
  for (const cls of ['owner', 'group', 'other'] as const) {
    const current = (inode.mode >> SHIFT[cls]) & 7;
    const bits = (current | required[cls]) & ~forbidden[cls];
    mode = (mode & ~(7 << SHIFT[cls])) | (bits << SHIFT[cls]);
  }
  if (needs.drift) {
    // Bits the owner's umask would not have given, unless some role needs them (then the umask is the
    // thing to change, and mode-drift says so).
    const extra = mode & PERMISSION_BITS & ~expectedMode(settings, candidate.uid, needs.isDir, mode);
    const needed = (required.owner << 6) | (required.group << 3) | required.other;
    mode &= ~(extra & ~needed);
  }
  if (needs.stripSpecial) mode &= ~(SETUID | SETGID);
  if (needs.isDir) mode = candidate.setgid ? mode | SETGID : mode & ~SETGID;
  const target: Target = { uid: candidate.uid, gid: candidate.gid, mode };
  // Never the private group of one role where several write: every writer should be in the group (the
  // owner too: what the others create there belongs to them), or what each creates shuts the others out.
  const writers = new Set(needs.subjects.filter((n) => n.required & WRITE).map((n) => settings.subjects[n.subject]!.principal));
  let outsiders = 0;
  if (writers.size > 1) for (const writer of writers) if (writer.uid !== 0 && !writer.gids.includes(candidate.gid)) outsiders++;
  const loss = needs.isDir ? crossContextLoss(target, inode, needs, settings, false) : 0;
  const lossAfterUmask = loss === 0 ? 0 : crossContextLoss(target, inode, needs, settings, true);
  return { target, cost: cost(inode, target, settings) + 2 * outsiders, loss, lossAfterUmask };
}

function describeNeed(name: string, need: SubjectNeed): string {
  const words = [
    need.required & WRITE ? 'write' : need.required & READ ? 'read' : need.required & EXECUTE ? 'enter' : '',
    need.forbidden & WRITE ? 'not write' : '',
    need.forbidden & READ ? 'not read' : '',
  ].filter(Boolean);
  return `${name} (${words.join(', ')})`;
}

function conflictText(cls: Cls, candidate: Candidate, needs: string[], settings: AuditSettings): string {
  const names = { user: (uid: number) => settings.subjects.find((s) => s.principal.uid === uid)?.role?.user ?? String(uid) };
  if (cls === 'owner')
    return `${needs.join(' and ')} are the same user (${names.user(candidate.uid)}): no mode gives one what the other must not have`;
  if (cls === 'group')
    return `${needs.join(' and ')} share every group that could own it: no group mode gives one what the other must not have`;
  return `${needs.join(' and ')} fall in the same class (others): no mode gives one what the other must not have`;
}

/** What roles creating here would make that other roles then cannot use, counted; 0 is the aim. */
function crossContextLoss(target: Target, inode: Inode, needs: EntryNeeds, settings: AuditSettings, openUmask: boolean): number {
  if (needs.creators.length === 0) return 0;
  const planned: Inode = { ...inode, uid: target.uid, gid: target.gid, mode: target.mode };
  let loss = 0;
  for (const a of needs.creators) {
    const role = settings.subjects[a]!.role!;
    // With the advice taken: a umask that keeps the group's bits.
    const creator = openUmask ? { ...role, umask: role.umask & ~0o070 } : role;
    if (!(grants(planned, creator) & WRITE_AND_SEARCH)) {
      // Keeping a role that writes here from creating anything is no way to keep it from breaking others.
      if (grants(inode, creator) & WRITE_AND_SEARCH) loss += 4;
      continue;
    }
    const created = predictCreated(creator, planned, needs.create);
    for (const { subject: b, writes } of needs.users) {
      const user = settings.subjects[b]!.principal;
      if (b === a || user.uid === creator.uid || user.uid === 0 || !permits(planned, user, EXECUTE)) continue;
      const lost = predictLoss(created, planned, user, writes, needs.create?.replace === true, needs.create?.directories !== false);
      for (let bit = lost; bit; bit &= bit - 1) loss++;
    }
  }
  return loss;
}

function cost(inode: Inode, target: Target, settings: AuditSettings): number {
  let total = 0;
  if (target.uid !== inode.uid) {
    // Taking root-owned code (sudo composer install) to the deploy user is the usual fix, and cheap.
    const toCli = settings.subjects.find((s) => s.name === 'cli')?.role?.uid === target.uid;
    total += inode.uid === 0 && toCli ? 2 : 4;
  }
  if (target.gid !== inode.gid) total += 3;
  const changed = (inode.mode ^ target.mode) & (PERMISSION_BITS | SETGID | SETUID | STICKY);
  for (let bit = changed; bit; bit &= bit - 1) total += 0.1;
  const openedToOthers = target.mode & 7 & ~(inode.mode & 7);
  for (let bit = openedToOthers; bit; bit &= bit - 1) total += 1;
  return total;
}
