import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { chooseDefaultUmask, choosePreset } from '../policy/choose.js';
import { PRESET_NAMES } from '../policy/schema.js';
import { bindRoleSet, loadProject, readMagentoUmask, type RoleOptions } from '../project/setup.js';
import { defaultUmaskKind, discoveryOffReason } from '../roles/precedence.js';
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
      .description('show the roles of an application as permcheck uses them: users, groups, umasks, and where each was found')
      .argument('[dir]', 'the application root', '.')
      .addOption(new Option('--preset <name>', 'policy preset (default: detected from the tree)').choices(PRESET_NAMES))
      .option('--umask <umask>', 'umask of every role that does not set one in the config')
      .option('--json', 'print one JSON object'),
  ).action(async (dir: string, options: RolesOptions) => {
    const root = resolve(dir);
    checkDirectory(root, dir);
    const project = loadProject(options, root, false);
    const { preset } = choosePreset(options.preset, project.config, project.file, root);
    const magento = options.umask === undefined && preset?.name === 'magento2' ? readMagentoUmask(root, project) : undefined;
    const umask = chooseDefaultUmask(options.umask, project.config, project.file, preset, magento);
    const set = bindRoleSet(project, options, root, { ...umask, kind: defaultUmaskKind(options.umask, project.config, preset) });
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
