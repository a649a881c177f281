import { formatOctal } from '../mode/bits.js';
import type { Paint } from '../paint.js';
import { symbolicMode } from '../mode/bits.js';
import { printable } from '../text/printable.js';
import { describeInode, type Names } from './describe.js';
import type { AccessResult } from './report.js';

/** Which project and config answered, and where each role's user came from. */
export interface Provenance {
  directory: string;
  config: string | null;
  source: string;
  notes: string[];
}

/**
 * The provenance of a project found by walking up from `where`: the config chosen (or given), else the
 * directory that stands for the project (`standIn`: a framework's root found by its markers, if any).
 */
export function provenanceOf(
  setup: { file: string | undefined; choice: { explicit: boolean; notes: string[] } },
  directory: string,
  where: string,
  standIn?: string,
): Provenance {
  const source = setup.choice.explicit
    ? '--config'
    : setup.file
      ? `the nearest above ${where}`
      : standIn
        ? `none found above ${where}; ${standIn}, where a framework's marker files are, stands for the project`
        : `none found above ${where}; the current directory stands for the project`;
  return { directory, config: setup.file ?? null, source, notes: setup.choice.notes };
}

/**
 * Which project, config and roles an answer rests on, and where each came from; with `umask`, each
 * role's umask and its origin too (what `explain --for` predicts from).
 */
export function renderProvenance(
  provenance: Provenance,
  roles: readonly { name: string; user: string; uid: number; origin: string; umask: number; umaskOrigin: string }[],
  paint: Paint,
  options: { umask?: boolean } = {},
): string {
  const lines = [`${paint.dim('project')} ${provenance.directory} (config ${provenance.config ?? 'none'}: ${provenance.source})`];
  roles.forEach((role, index) => {
    const umask = options.umask ? `; umask ${formatOctal(role.umask)} (${role.umaskOrigin})` : '';
    lines.push(`${paint.dim(index === 0 ? 'roles  ' : '       ')} ${role.name} ${role.user} (uid ${role.uid}): ${role.origin}${umask}`);
  });
  for (const note of provenance.notes) lines.push(`${paint.dim('note   ')} ${note}`);
  return lines.map(printable).join('\n') + '\n';
}

export interface SubjectLabel {
  name: string;
  /** "www-data (uid 33)", or "any other user" for others. */
  who: string;
}

/** One block per path: a table of roles by read / write / execute (enter) / delete, then why not. */
export function renderAccessText(
  result: AccessResult,
  subjects: readonly SubjectLabel[],
  names: Names,
  paint: Paint,
  showChain: boolean,
): string {
  const isDir = result.type === 'directory';
  // '+' as ls shows an entry that has an ACL (access or default): its bits alone do not decide.
  const mode = symbolicMode(Number.parseInt(result.mode, 8)) + (result.acl ? '+' : '');
  const lines = [`${paint.bold(result.path)}  ${result.type} ${mode} (${result.mode}) ${result.owner}:${result.group}`];
  for (const step of result.symlinks) lines.push(`  ${paint.dim('symlink')} ${step.link} -> ${step.target}`);
  if (result.resolved !== result.path)
    lines.push(
      `  ${paint.dim('resolves to')} ${result.resolved} (read, write and ${isDir ? 'enter' : 'execute'} apply there; delete removes the link)`,
    );
  const header = ['role', 'user', 'read', 'write', isDir ? 'enter' : 'execute', 'delete'];
  const rows = subjects.map((subject) => {
    const verdict = result.roles[subject.name]!;
    return [subject.name, subject.who, ...[verdict.read, verdict.write, verdict.execute, verdict.delete].map((ok) => (ok ? 'yes' : 'no'))];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const format = (cells: string[], colour: boolean) =>
    '  ' +
    cells
      .map((cell, column) => {
        const padded = cell.padEnd(widths[column]!);
        if (!colour || column < 2) return padded;
        return cell === 'yes' ? paint.green(padded) : paint.red(padded);
      })
      .join('  ')
      .trimEnd();
  lines.push(paint.dim(format(header, false)));
  for (const row of rows) lines.push(format(row, true));
  const reasons = subjects.flatMap((subject) => result.roles[subject.name]!.reasons);
  if (reasons.length > 0) {
    lines.push(`  ${paint.bold('why not')}`);
    for (const reason of reasons) lines.push(`    ${reason}`);
  }
  if (showChain) {
    lines.push(`  ${paint.bold('directories searched on the way')}`);
    for (const dir of result.chain) lines.push(`    ${describeInode(dir.inode, names).padEnd(28)} ${dir.path}`);
  }
  return lines.map(printable).join('\n') + '\n';
}
