import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { renderAccessText, provenanceOf, renderProvenance, type SubjectLabel } from '../access/render-text.js';
import { jsonForLogs } from '../text/printable.js';
import { accessResult, accessResultJson } from '../access/report.js';
import { lookUp } from '../walk/lookup.js';
import { UsageError } from '../errors.js';
import { rolesByName } from '../roles/json.js';
import type { Role } from '../roles/role.js';
import { subjectsOf, type Subject } from '../roles/subject.js';
import type { CommandContext } from './context.js';
import { bindRoles, loadProject, type RoleOptions } from '../project/setup.js';
import { frameworkAbove } from '../project/framework.js';
import { repeatable } from './repeatable.js';
import { addRoleOptions } from './role-options.js';

interface AccessOptions extends RoleOptions {
  role?: string[];
  json?: boolean;
  chain?: boolean;
}

export function defineAccess(command: Command, ctx: CommandContext): void {
  addRoleOptions(
    command
      .argument('<path...>', 'files or directories (symlinks are followed, as open(2) would)')
      .option('--role <name>', 'only this role (repeatable; web, cli, cron, a custom role, or others)', repeatable)
      .option('--json', 'print one JSON object')
      .option('--chain', 'list every directory searched on the way, with mode and owner (like namei -l)'),
  ).action(async (paths: string[], options: AccessOptions) => {
    // The project: where the config above the first path is, else the nearest framework above it
    // (as explain --in finds it), else the current directory.
    const setup = await loadProject(options, resolve(paths[0]!), true);
    const framework = setup.file ? undefined : frameworkAbove(resolve(paths[0]!), setup.trust, setup.choice.notes, setup.local);
    const project = setup.file ? dirname(setup.file) : (framework ?? process.cwd());
    const roles = bindRoles(setup, options, project);
    const { db } = setup;
    const subjects = selectSubjects(roles, options.role ?? []);
    const results = [];
    let missing = 0;
    for (const path of paths) {
      try {
        results.push(accessResult(lookUp(path, process.cwd()), subjects, db));
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        ctx.err(`permcheck: ${error.message}`);
        missing++;
      }
    }
    const provenance = provenanceOf(setup, project, paths[0]!, framework);
    if (options.json) {
      const json = { project: provenance, roles: rolesByName(roles), results: results.map(accessResultJson) };
      await ctx.out(jsonForLogs(JSON.stringify(json, null, 2)) + '\n');
    } else {
      const labels: SubjectLabel[] = subjects.map((subject) => ({ name: subject.name, who: labelFor(subject.name, roles) }));
      // Nothing to show (every path failed, on stderr): no header either.
      const header = results.length > 0 ? [renderProvenance(provenance, roles, ctx.paint())] : [];
      const blocks = results.map((result) => renderAccessText(result, labels, db, ctx.paint(), options.chain === true));
      await ctx.out([...header, ...blocks].join('\n'));
    }
    ctx.settle({ inputErrors: missing });
  });
}

function selectSubjects(roles: Role[], wanted: string[]): Subject[] {
  const all = subjectsOf(roles);
  if (wanted.length === 0) return all;
  return wanted.map((name) => {
    const subject = all.find((candidate) => candidate.name === name);
    if (!subject) throw new UsageError(`--role '${name}' is not a role here (known: ${all.map((s) => s.name).join(', ')})`);
    return subject;
  });
}

function labelFor(name: string, roles: Role[]): string {
  const role = roles.find((candidate) => candidate.name === name);
  return role ? `${role.user} (uid ${role.uid})` : 'any other user';
}
