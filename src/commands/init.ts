import { closeSync, constants, existsSync, fchownSync, fstatSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { configTemplate } from '../init/template.js';
import { SCHEMA_FILE } from '../policy/json-schema.js';
import { CONFIG_FILE } from '../policy/config-name.js';
import { PRESETS } from '../policy/presets/index.js';
import { detectFramework } from '../project/framework.js';
import { PRESET_NAMES, type PresetName } from '../policy/preset-names.js';
import { discoverRoles, trustedCrontabUsers } from '../discover/discover.js';
import { hostRoleUsers } from '../roles/host-users.js';
import { WEB_USER_CANDIDATES } from '../roles/resolve.js';
import { loadUserDatabase } from '../users/load.js';
import { lookUpProject } from '../project/project-path.js';
import { printable } from '../text/printable.js';
import { writersOf } from '../project/config-file.js';
import { shellQuote } from '../fix/shell.js';
import { trustFor } from '../trust/trust.js';
import { close } from '../walk/fd.js';
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
      const db = loadUserDatabase({});
      // The directory is opened now and written through its descriptor: a link someone else may point
      // is refused, and nothing can steer the write elsewhere afterwards.
      const trust = trustFor(process.getuid?.() ?? -1);
      const opened = lookUpProject(root, trust, db, { keepOpen: true });
      if (opened.fd === undefined) throw new UsageError(`'${dir}' cannot be opened by this user`);
      const dirFd = opened.fd;
      const detected = options.preset ? undefined : detectFramework(root);
      const preset = options.preset ? PRESETS[options.preset] : (detected?.preset ?? PRESETS.generic);
      const presetSource = options.preset
        ? 'chosen with --preset'
        : detected
          ? `detected from ${detected.markers.join(' and ')}`
          : 'no framework detected';
      const { uid: owner, gid: ownerGroup } = statSync(root);
      // The config init writes is trusted by every later run: a crontab that anyone could have
      // installed names no user in it (only root's, the runner's and the owner's count).
      const crontabUsers = trustedCrontabUsers(db, { uids: [...trust.uids, owner], users: [] });
      const discovery = options.discover === false ? undefined : discoverRoles(root, crontabUsers);
      const host = discovery ? hostRoleUsers(discovery, db) : [];
      const hostUser = (name: string) => host.find((role) => role.name === name)?.user;
      const cliUser = db.user(owner);
      // A uid this machine has no entry for (a container's user) has no groups to look up: the audit
      // needs them said, and the directory's group is the likely one.
      const unnamed = db.userByUid(owner) ? undefined : { user: cliUser, groups: [db.group(ownerGroup)] };
      const text = configTemplate({
        unnamed,
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
      try {
        writeConfig(dirFd, file, text, options.force === true);
      } finally {
        close(dirFd);
      }
      // The audit refuses a config in a directory someone untrusted can write: say what makes it take this one.
      const writers = writersOf(root, trust) ?? [];
      const owners = writers.flatMap((writer) => (writer.kind === 'owner' ? [db.user(writer.uid)] : []));
      const vouch =
        writers.length === 0
          ? ''
          : owners.length === writers.length
            ? ` --trust ${shellQuote(owners[0]!)}`
            : ` --config ${shellQuote(file)}`;
      await ctx.out(
        `wrote ${printable(file)}: preset ${preset.name} (${presetSource})\n` +
          // Notes quote host files (pool names, users): escaped, as roles prints them.
          (discovery?.notes ?? []).map((note) => `note: ${printable(note)}\n`).join('') +
          `next: review the roles and paths, then run permcheck audit${dir === '.' ? '' : ` ${shellQuote(dir)}`}${vouch}` +
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
function writeConfig(dirFd: number, file: string, text: string, force: boolean): void {
  const inDir = (name: string) => `/proc/self/fd/${dirFd}/${name}`;
  const exclusive = (name: string) =>
    openSync(inDir(name), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  if (!force) {
    let fd: number;
    try {
      fd = exclusive(CONFIG_FILE);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST')
        throw new UsageError(`${printable(file)} already exists; use --force to replace it`);
      throw new UsageError(`cannot write ${printable(file)}: ${why(error)}`);
    }
    writeAll(fd, dirFd, text);
    return;
  }
  const temporary = `${CONFIG_FILE}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeAll(exclusive(temporary), dirFd, text);
    renameSync(inDir(temporary), inDir(CONFIG_FILE));
  } catch (error) {
    try {
      unlinkSync(inDir(temporary));
    } catch {
      // It was never created, or already renamed.
    }
    throw new UsageError(`cannot write ${printable(file)}: ${why(error)}`);
  }
}

/** The error's code (EACCES, EROFS): its message would name the descriptor path, not the file. */
function why(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

function writeAll(fd: number, dirFd: number, text: string): void {
  try {
    // Root writing into someone's project gives the file to the project's owner and group, as the
    // directory has them: a root-owned config is one more entry the deploy user cannot change.
    const dir = fstatSync(dirFd);
    if (process.getuid?.() === 0 && dir.uid !== 0) fchownSync(fd, dir.uid, dir.gid);
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}
