import { formatOctal } from '../mode/bits.js';
import type { Paint } from '../paint.js';
import { printable } from '../text/printable.js';
import { rolesByName } from './json.js';
import type { Role } from './role.js';

const FIELDS = ['user', 'groups', 'umask'] as const;

/** `permcheck roles`: each role's user, groups and umask, where each came from, then the notes. */
export function renderRolesText(root: string, roles: readonly Role[], notes: readonly string[], paint: Paint): string {
  const width = Math.max(4, ...roles.map((role) => role.name.length));
  const lines = [`${paint.bold('permcheck roles')} ${printable(root)}`];
  for (const role of roles) {
    lines.push(
      `  ${paint.bold(role.name.padEnd(width))}  ${role.user} (uid ${role.uid}; groups ${role.groups.join(', ')}), umask ${formatOctal(role.umask)}`,
    );
    for (const field of FIELDS) {
      role.sources
        .filter((source) => source.field === field)
        .forEach((source, index) => {
          const label = index === 0 ? field.padEnd(6) : ''.padEnd(6);
          lines.push(`  ${''.padEnd(width)}    ${paint.dim(label)}  ${printable(source.text)}`);
          if (source.command) lines.push(`  ${''.padEnd(width)}            ${paint.dim('job:')} ${printable(source.command)}`);
        });
    }
  }
  if (notes.length > 0) {
    lines.push('', paint.bold('Notes'));
    for (const note of notes) lines.push(`  - ${printable(note)}`);
  }
  return lines.join('\n') + '\n';
}

/** `permcheck roles --json`: { roles: { NAME: role as JSON }, notes }. */
export function rolesJson(roles: readonly Role[], notes: readonly string[]) {
  return { roles: rolesByName(roles), notes };
}
