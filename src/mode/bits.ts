/** Permission bits as the kernel stores them in st_mode (the low 12 bits). */
export const SETUID = 0o4000;
export const SETGID = 0o2000;
export const STICKY = 0o1000;
export const PERMISSION_BITS = 0o777;
export const MODE_BITS = 0o7777;

export const READ = 4;
export const WRITE = 2;
export const EXECUTE = 1;

export type PermissionClass = 'owner' | 'group' | 'other';
export const PERMISSION_CLASSES: readonly PermissionClass[] = ['owner', 'group', 'other'];

const SHIFT: Record<PermissionClass, number> = { owner: 6, group: 3, other: 0 };

/** The rwx triplet (0-7) that applies to one class. */
export function classBits(mode: number, cls: PermissionClass): number {
  return (mode >> SHIFT[cls]) & 7;
}

/** "0640": always four digits, as stat -c %a would print with the special bits. */
export function formatOctal(mode: number): string {
  return (mode & MODE_BITS).toString(8).padStart(4, '0');
}

function triplet(bits: number, special: boolean, specialChar: string): string {
  const r = bits & READ ? 'r' : '-';
  const w = bits & WRITE ? 'w' : '-';
  const exec = (bits & EXECUTE) !== 0;
  // ls shows a special bit in the x column: lower case when x is also set, upper case when not.
  const x = special ? (exec ? specialChar : specialChar.toUpperCase()) : exec ? 'x' : '-';
  return r + w + x;
}

/** "rwxr-s---": the nine permission characters of ls -l, special bits included. */
export function symbolicMode(mode: number): string {
  return (
    triplet(classBits(mode, 'owner'), (mode & SETUID) !== 0, 's') +
    triplet(classBits(mode, 'group'), (mode & SETGID) !== 0, 's') +
    triplet(classBits(mode, 'other'), (mode & STICKY) !== 0, 't')
  );
}
