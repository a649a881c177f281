import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { renderAccessText, type SubjectLabel } from '../access/render-text.js';
import { accessResult, accessResultJson } from '../access/report.js';
import { lookUp } from '../walk/lookup.js';
import { UsageError } from '../errors.js';
import { findConfigFile } from '../policy/load.js';
import type { Role } from '../roles/role.js';
import { subjectsOf, type Subject } from '../roles/subject.js';
import type { CommandContext } from './context.js';
import { bindRoles, loadProject, type RoleOptions } from '../project/setup.js';
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
      .description('show who can read, write, enter and delete paths, and why not')
      .argument('<path...>', 'files or directories (symlinks are followed, as open(2) would)')
      .option('--role <name>', 'only this role (repeatable; web, cli, cron, a custom role, or others)', repeatable)
      .option('--json', 'print one JSON object')
      .option('--chain', 'list every directory searched on the way, with mode and owner (like namei -l)'),
  ).action(async (paths: string[], options: AccessOptions) => {
    const project = projectDirectory(paths[0]!);
    const setup = loadProject(options, project, true);
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
    if (options.json) {
      const json = { roles: Object.fromEntries(roles.map(roleJson)), results: results.map(accessResultJson) };
      await ctx.out(JSON.stringify(json, null, 2) + '\n');
    } else {
      const labels: SubjectLabel[] = subjects.map((subject) => ({ name: subject.name, who: labelFor(subject.name, roles) }));
      await ctx.out(results.map((result) => renderAccessText(result, labels, db, ctx.paint(), options.chain === true)).join('\n'));
    }
    ctx.settle({ inputErrors: missing });
  });
}

/**
 * The project the paths belong to: the nearest directory above the first path that holds
 * permcheck.config.json, else the current directory. Its owner is the default CLI user.
 */
function projectDirectory(firstPath: string): string {
  const absolute = resolve(firstPath);
  let start = absolute;
  while (!existsSync(start) && dirname(start) !== start) start = dirname(start);
  const base = statSync(start).isDirectory() ? start : dirname(start);
  const config = findConfigFile(base, true);
  return config ? dirname(config) : process.cwd();
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

function roleJson(role: Role) {
  return [role.name, { user: role.user, uid: role.uid, gid: role.gid, groups: role.groups, gids: role.gids, origin: role.origin }] as const;
}
