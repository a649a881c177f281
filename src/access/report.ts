import { accessAclEntries, defaultAclEntries, entryText } from '../acl/format.js';
import { formatOctal } from '../mode/bits.js';
import type { Names } from './describe.js';
import { effectiveAccess, type Verdict } from './effective.js';
import type { PathFacts } from './effective.js';
import type { EntryType, Located, Principal, SymlinkStep } from './types.js';

export interface AccessResult {
  path: string;
  resolved: string;
  type: EntryType;
  mode: string;
  owner: string;
  group: string;
  /** getfacl's lines of the access ACL (`entries`) and of a directory's default ACL (`default`); absent without either. */
  acl?: { entries?: string[]; default?: string[] };
  roles: Record<string, Verdict>;
  chain: readonly Located[];
  symlinks: readonly SymlinkStep[];
}

/** Verdicts of every subject on one resolved path. */
export function accessResult(
  facts: PathFacts & { resolved: string; symlinks: readonly SymlinkStep[] },
  /** Whom to judge for, by name: the roles and others (roles/subject.ts builds the list). */
  subjects: readonly { name: string; principal: Principal }[],
  names: Names,
): AccessResult {
  const roles: Record<string, Verdict> = {};
  for (const subject of subjects) roles[subject.name] = effectiveAccess(facts, subject.name, subject.principal, names);
  return {
    path: facts.path,
    resolved: facts.resolved,
    type: facts.target.type,
    mode: formatOctal(facts.target.mode),
    owner: names.user(facts.target.uid),
    group: names.group(facts.target.gid),
    ...(facts.target.acl || facts.target.defaultAcl
      ? {
          acl: {
            ...(facts.target.acl ? { entries: accessAclEntries(facts.target.mode, facts.target.acl, names).map(entryText) } : {}),
            ...(facts.target.defaultAcl ? { default: defaultAclEntries(facts.target.defaultAcl, names).map(entryText) } : {}),
          },
        }
      : {}),
    roles,
    chain: facts.chain,
    symlinks: facts.symlinks,
  };
}

/** The documented JSON shape of one result. */
export function accessResultJson(result: AccessResult) {
  return {
    path: result.path,
    ...(result.resolved !== result.path ? { resolved: result.resolved } : {}),
    type: result.type,
    mode: result.mode,
    owner: result.owner,
    group: result.group,
    ...(result.acl ? { acl: result.acl } : {}),
    roles: result.roles,
  };
}
