import type { Names } from '../access/describe.js';
import { permText } from '../acl/format.js';
import type { AccessAcl, DefaultAcl } from '../acl/types.js';
import { formatOctal, PERMISSION_CLASSES, classBits } from '../mode/bits.js';
import { chmodClause, pathArgument, shellQuote } from '../fix/shell.js';
import type { Change } from './change.js';
import { remainingChange, type Clauses, type Description, type Step } from './subtree.js';

/** Where a command acts: the entry's path relative to the root, or its bytes when not UTF-8. */
export interface Where {
  rel: string;
  raw?: Uint8Array | undefined;
}

/**
 * One entry's change as commands: chown -h (never through a symlink) first, since it clears setuid
 * and setgid, then chmod with the whole mode, so the result is the same whatever was there.
 */
export function changeCommands(where: Where, change: Change, names: Names): string[] {
  const path = pathArgument(where.raw ?? where.rel);
  const commands: string[] = [];
  if (change.uid !== undefined) {
    const spec = change.gid !== undefined ? `${names.user(change.uid)}:${names.group(change.gid)}` : names.user(change.uid);
    commands.push(`chown -h -- ${shellQuote(spec)} ${path}`);
  } else if (change.gid !== undefined) {
    commands.push(`chgrp -h -- ${shellQuote(names.group(change.gid))} ${path}`);
  }
  // setfacl -m names every entry the plan sets and the mask; the chmod after it keeps that mask, since
  // the planned mode's group bits are the mask.
  if (change.acl) commands.push(`setfacl -m ${shellQuote(aclSpecOf(change.acl, names))} -- ${path}`);
  if (change.defaultAcl) commands.push(`setfacl -d -m ${shellQuote(aclSpecOf(change.defaultAcl, names))} -- ${path}`);
  if (change.mode !== undefined) commands.push(`chmod -- ${formatOctal(change.mode)} ${path}`);
  return commands;
}

function aclSpecOf(acl: AccessAcl | DefaultAcl, names: Names): string {
  return [
    ...acl.users.map((entry) => `u:${names.user(entry.id)}:${permText(entry.perm)}`),
    ...acl.groups.map((entry) => `g:${names.group(entry.id)}:${permText(entry.perm)}`),
    ...(acl.mask !== undefined ? [`m::${permText(acl.mask)}`] : []),
  ].join(',');
}

/** A recursive step as commands (chown -R -h never follows links; find -P neither). */
export function clauseCommands(where: Where, clauses: Clauses, names: Names): string[] {
  const path = pathArgument(where.raw ?? where.rel);
  const commands: string[] = [];
  if (clauses.uid !== undefined) {
    const spec = clauses.gid !== undefined ? `${names.user(clauses.uid)}:${names.group(clauses.gid)}` : names.user(clauses.uid);
    commands.push(`chown -R -h -- ${shellQuote(spec)} ${path}`);
  } else if (clauses.gid !== undefined) {
    commands.push(`chgrp -R -h -- ${shellQuote(names.group(clauses.gid))} ${path}`);
  }
  const parts: string[] = [];
  for (const cls of PERMISSION_CLASSES) {
    const minus = classBits(clauses.minus, cls);
    const plus = classBits(clauses.plus, cls);
    if (minus) parts.push(chmodClause(cls, '-', minus, false));
    if (plus) parts.push(chmodClause(cls, '+', plus, false));
  }
  if (parts.length) commands.push(`chmod -R -- ${parts.join(',')} ${path}`);
  if (clauses.stripFiles) commands.push(`find -P ${path} -type f -perm /6000 -exec chmod u-s,g-s -- {} +`);
  if (clauses.setgidDirs) commands.push(`find -P ${path} -type d -exec chmod g+s -- {} +`);
  return commands;
}

/**
 * A description as one command line: recursive commands first (shallowest first), then each entry's
 * remaining change; entries that need the very same command share it.
 */
export function descriptionCommands(description: Description, names: Names): string[] {
  const commands: string[] = [];
  const byCommand = new Map<string, string[]>();
  for (const step of description.steps) {
    if (step.kind === 'recursive') {
      commands.push(...clauseCommands(step, step.clauses, names));
      continue;
    }
    const change = remainingChange(step, description.steps);
    if (!change) continue;
    for (const command of changeCommands(step, change, names)) {
      // "chmod -- 0644 './a'": the part before the path is the key, paths are merged behind it.
      const path = pathArgument(step.raw ?? step.rel);
      const head = command.slice(0, command.length - path.length - 1);
      const paths = byCommand.get(head);
      if (paths) paths.push(path);
      else byCommand.set(head, [path]);
    }
  }
  for (const [head, paths] of byCommand) commands.push(`${head} ${paths.join(' ')}`);
  return commands;
}

export function entrySteps(description: Description): Step[] {
  return description.steps;
}
