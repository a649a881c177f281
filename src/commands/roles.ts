import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { PRESET_NAMES } from '../policy/preset-names.js';
import { bindProjectRoles, loadProject, type RoleOptions } from '../project/setup.js';
import { discoveryOffReason } from '../roles/precedence.js';
import { renderRolesText, rolesJson } from '../roles/render.js';
import type { CommandContext } from './context.js';
import { addRoleOptions } from './role-options.js';

interface RolesOptions extends RoleOptions {
  preset?: string;
  umask?: string;
  json?: boolean;
}

export function defineRoles(command: Command, ctx: CommandContext): void {
  addRoleOptions(
    command
      .argument('[dir]', 'the application root', '.')
      .addOption(new Option('--preset <name>', 'policy preset (default: detected from the tree)').choices(PRESET_NAMES))
      .option('--umask <umask>', 'umask of every role that does not set one in the config')
      .option('--json', 'print one JSON object'),
  ).action(async (dir: string, options: RolesOptions) => {
    const root = resolve(dir);
    checkDirectory(root, dir);
    const project = await loadProject(options, root, false);
    const set = bindProjectRoles(project, options, root);
    const off = discoveryOffReason(options);
    const notes = off ? [`the host was ${off}`, ...set.notes] : set.notes;
    await ctx.out(
      options.json ? JSON.stringify(rolesJson(set.roles, notes), null, 2) + '\n' : renderRolesText(root, set.roles, notes, ctx.paint()),
    );
    ctx.settle({});
  });
}

function checkDirectory(root: string, given: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(root).isDirectory();
  } catch {
    throw new UsageError(`'${given}' does not exist or cannot be reached by this user`);
  }
  if (!isDirectory) throw new UsageError(`'${given}' is not a directory; roles takes the application's root directory`);
}
