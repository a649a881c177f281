import { denialReason, describeInode, verbs, type Names } from '../access/describe.js';
import type { Inode } from '../access/types.js';
import { EXECUTE, READ, WRITE } from '../mode/bits.js';
import type { Subject } from './contract.js';

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
