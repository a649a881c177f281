import { classBits, EXECUTE, READ, WRITE, type PermissionClass } from '../mode/bits.js';
import type { EntryKind } from '../mode/creation.js';

/**
 * What one class may do with an entry of this mode, in words. On a directory, w alone is useless:
 * creating or deleting entries needs w and x together.
 */
export function abilities(kind: EntryKind, mode: number, cls: PermissionClass): string[] {
  const bits = classBits(mode, cls);
  const words: string[] = [];
  if (bits & READ) words.push(kind === 'directory' ? 'list' : 'read');
  if (bits & WRITE) {
    if (kind === 'file') words.push('write');
    else words.push(bits & EXECUTE ? 'create and delete entries' : 'write (useless without enter)');
  }
  if (bits & EXECUTE) words.push(kind === 'directory' ? 'enter' : 'execute');
  return words;
}

export function describeAbilities(kind: EntryKind, mode: number, cls: PermissionClass): string {
  const words = abilities(kind, mode, cls);
  return words.length === 0 ? 'nothing' : words.join(', ');
}
