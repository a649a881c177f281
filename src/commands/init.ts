import { closeSync, constants, existsSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { configTemplate } from '../init/template.js';
import { SCHEMA_FILE } from '../policy/json-schema.js';
import { CONFIG_FILE } from '../policy/load.js';
import { PRESETS } from '../policy/presets/index.js';
import { detectFramework } from '../project/framework.js';
import { PRESET_NAMES, type PresetName } from '../policy/schema.js';
import { discoverRoles } from '../discover/discover.js';
import { hostRoleUsers } from '../roles/host-users.js';
import { WEB_USER_CANDIDATES } from '../roles/resolve.js';
import { loadUserDatabase } from '../users/load.js';
import type { CommandContext } from './context.js';
import { addDiscoverOption } from './role-options.js';

interface InitOptions {
  preset?: PresetName;
  force?: boolean;
  discover?: boolean;
}

export function defineInit(command: Command, ctx: CommandContext): void {
  addDiscoverOption(command)
    .argument('[dir]', 'the application root', '.')
    .addOption(new Option('--preset <name>', 'preset to start from (default: detected)').choices(PRESET_NAMES))
    .option('--force', 'replace an existing permcheck.config.json')
    .action(async (dir: string, options: InitOptions) => {
      const root = resolve(dir);
      if (!existsSync(root) || !statSync(root).isDirectory()) throw new UsageError(`'${dir}' is not a directory`);
      const file = join(root, CONFIG_FILE);
      const detected = options.preset ? undefined : detectFramework(root);
      const preset = options.preset ? PRESETS[options.preset] : (detected?.preset ?? PRESETS.generic);
      const presetSource = options.preset
        ? 'chosen with --preset'
        : detected
          ? `detected from ${detected.markers.join(' and ')}`
          : 'no framework detected';
      const db = loadUserDatabase({});
      const discovery = options.discover === false ? undefined : discoverRoles(root);
      const host = discovery ? hostRoleUsers(discovery, db) : [];
      const hostUser = (name: string) => host.find((role) => role.name === name)?.user;
      const cliUser = db.user(statSync(root).uid);
      const text = configTemplate({
        preset,
        presetSource,
        webUser: hostUser('web') ?? WEB_USER_CANDIDATES.find((name) => db.userByName(name)),
        cliUser,
        cronUser: hostUser('cron') ?? cliUser,
        extraRoles: host.filter((role) => !['web', 'cli', 'cron'].includes(role.name)),
        found: Object.fromEntries(host.map((role) => [role.name, role.found])),
        // Editors resolve a local install; otherwise the published copy.
        schemaRef: existsSync(join(root, 'node_modules/permcheck', SCHEMA_FILE))
          ? `./node_modules/permcheck/${SCHEMA_FILE}`
          : `https://unpkg.com/permcheck/${SCHEMA_FILE}`,
      });
      writeConfig(file, text, options.force === true);
      await ctx.out(
        `wrote ${file}: preset ${preset.name} (${presetSource})\n` +
          (discovery?.notes ?? []).map((note) => `note: ${note}\n`).join('') +
          `next: review the roles and paths, then run permcheck audit ${dir === '.' ? '' : dir}`.trimEnd() +
          '\n',
      );
      ctx.settle({});
    });
}

/**
 * Create the config with O_CREAT|O_EXCL|O_NOFOLLOW, which never writes through a symlink planted in its
 * place and never clobbers a file that appeared meanwhile. --force writes a new file the same way
 * under a random name beside it and renames it over the old one: rename replaces a symlink itself, never
 * what it points to, and readers see the old file or the new one, never half of one.
 */
function writeConfig(file: string, text: string, force: boolean): void {
  const exclusive = (path: string) =>
    openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  if (!force) {
    let fd: number;
    try {
      fd = exclusive(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${file} already exists; use --force to replace it`);
      throw new UsageError(`cannot write ${file}: ${(error as Error).message}`);
    }
    writeAll(fd, text);
    return;
  }
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeAll(exclusive(temporary), text);
    renameSync(temporary, file);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // It was never created, or already renamed.
    }
    throw new UsageError(`cannot write ${file}: ${(error as Error).message}`);
  }
}

function writeAll(fd: number, text: string): void {
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}
