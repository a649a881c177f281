import { formatOctal, PERMISSION_CLASSES, symbolicMode } from '../mode/bits.js';
import { symbolicUmask } from '../mode/umask.js';
import type { Paint } from '../paint.js';
import { describeAbilities } from './abilities.js';
import type { Explanation, ModeRow } from './explain.js';

const CLASS_LABEL = { owner: 'owner ', group: 'group ', other: 'others' } as const;

function modeBlock(title: string, row: ModeRow, paint: Paint): string[] {
  const how = row.how ? `; ${row.how}` : '';
  const lines = [
    `${paint.bold(title)} (requested ${formatOctal(row.requested)}${how}) -> ${paint.bold(formatOctal(row.mode))} ${symbolicMode(row.mode)}`,
  ];
  for (const cls of PERMISSION_CLASSES) lines.push(`  ${CLASS_LABEL[cls]}  ${describeAbilities(row.kind, row.mode, cls)}`);
  return lines;
}

export function renderExplanationText(explanation: Explanation, source: string, paint: Paint): string {
  const lines = [
    `umask ${paint.bold(formatOctal(explanation.umask))} (${symbolicUmask(explanation.umask)})${source ? `, ${source}` : ''}: new entries get the requested mode minus these bits.`,
    ...(explanation.in ? [`In ${explanation.in}, as the policy says the code creates there (a chmod ignores the umask):`] : []),
    '',
    ...modeBlock('file', explanation.file, paint),
    '',
    ...modeBlock('directory', explanation.directory, paint),
  ];
  for (const row of explanation.custom) lines.push('', ...modeBlock(`custom ${row.kind}`, row, paint));
  if (explanation.warnings.length > 0) {
    lines.push('', paint.bold('What this means'));
    for (const warning of explanation.warnings) lines.push(`  ${paint.yellow('!')} ${warning}`);
  }
  for (const note of explanation.notes) lines.push('', `${paint.dim('note:')} ${note}`);
  return lines.join('\n') + '\n';
}

function jsonRow(row: ModeRow) {
  return {
    kind: row.kind,
    requested: formatOctal(row.requested),
    ...(row.how ? { how: row.how } : {}),
    mode: formatOctal(row.mode),
    symbolic: symbolicMode(row.mode),
  };
}

export function explanationJson(explanation: Explanation) {
  const { kind: _file, ...file } = jsonRow(explanation.file);
  const { kind: _dir, ...directory } = jsonRow(explanation.directory);
  return {
    umask: formatOctal(explanation.umask),
    symbolic: symbolicUmask(explanation.umask),
    ...(explanation.in ? { in: explanation.in } : {}),
    file,
    directory,
    custom: explanation.custom.map(jsonRow),
    warnings: explanation.warnings,
    notes: explanation.notes,
  };
}
