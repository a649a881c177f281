import { denialReason, describeInode, verbs } from '../access/describe.js';
import { accessClass } from '../access/permission.js';
import type { Inode } from '../access/types.js';
import type { AuditSettings, Candidate, Subject } from '../audit/types.js';
import type { Names } from '../access/describe.js';
import { chmod, chmodClause, setgidDirectories, shellQuote } from '../fix/shell.js';
import { EXECUTE, READ, WRITE } from '../mode/bits.js';
import { target } from './rule.js';

/** "cannot read or write var/x (-rw-r--r-- www-data:www-data): cli is in group www-data, group has no w" */
export function denialText(subject: Subject, inode: Inode, path: string, missing: number, names: Names): string {
  const verb = verbs(inode.type);
  const bits = missing & 7;
  if (bits === 0) {
    // w and x each granted, by two ACL entries neither of which grants both.
    const why = denialReason(subject.name, inode, subject.principal, WRITE | EXECUTE, names);
    return `${subject.name} cannot create or delete entries in ${path} (${describeInode(inode, names)}): ${why}`;
  }
  const denied = [bits & READ ? verb.read : '', bits & WRITE ? verb.write : '', bits & EXECUTE ? verb.execute : ''].filter(Boolean);
  const why = denialReason(subject.name, inode, subject.principal, bits, names);
  return `${subject.name} cannot ${denied.join(' or ')} ${path} (${describeInode(inode, names)}): ${why}`;
}

/**
 * The least invasive command that gives `subject` the bits: through the class it is already in;
 * from the other class, by giving the entry the role's group (chmod o+ would open it to everyone).
 * Writable trees also get setgid directories, so what is created later keeps that group.
 */
export function grantFix(
  subject: Subject,
  inode: Inode,
  path: string | Uint8Array,
  bits: number,
  recursive: boolean,
  names: Names,
  sharedGid: number | undefined,
): string {
  const cls = accessClass(inode, subject.principal);
  const needsWrite = (bits & WRITE) !== 0;
  if (cls === 'owner') return chmod(chmodClause('owner', '+', bits, recursive), path, recursive);
  if (cls === 'group' || !subject.role) {
    const target = cls === 'group' ? 'group' : 'other';
    return chmod(chmodClause(target, '+', bits, recursive), path, recursive);
  }
  // The group the roles share, when this role is in it: a role's own group would lock the others out.
  const gid = sharedGid !== undefined && subject.role.gids.includes(sharedGid) ? sharedGid : subject.role.gid;
  const group = names.group(gid);
  const steps = [
    `chgrp ${recursive ? '-R ' : ''}${shellQuote(group)} ${shellQuote(path)}`,
    chmod(chmodClause('group', '+', bits, recursive), path, recursive),
  ];
  if (needsWrite && (inode.type === 'directory' || recursive)) steps.push(setgidDirectories(path, recursive));
  return steps.join(' && ');
}

/**
 * The owner class cannot be narrowed without locking the owner out: the entry must belong to the
 * deploy user instead. When that user is the same one, only a separate account can help.
 */
export function ownerFix(settings: AuditSettings, c: Candidate): { fix?: string; note?: string } {
  const owner = settings.subjects.find((s) => s.name === 'cli')?.role;
  if (!owner || owner.uid === c.inode.uid) {
    return {
      note: `; it owns the entry${owner ? ` and is the same user as cli (${owner.user})` : ''}: only a separate deploy user can keep the web server out`,
    };
  }
  return { fix: `chown ${c.entries > 1 ? '-R ' : ''}${shellQuote(owner.user)} ${shellQuote(target(c))}` };
}
