import type { Command } from 'commander';
import type { CommandContext } from './context.js';

/** Adds a command's arguments, options and action to its (already named and described) Command. */
export type DefineCommand = (command: Command, ctx: CommandContext) => void;

export interface CommandEntry {
  /** One line, for `permcheck --help` and the command's own help. */
  description: string;
  /** What follows the name in `permcheck --help`; a test checks it against the full definition. */
  usage: string;
  /** The command's module, imported only when the command runs or its help is asked for. */
  load(): Promise<DefineCommand>;
}

/**
 * Every command, in the order `permcheck --help` lists them. Only this table is loaded up front:
 * `--version` and `--help` need no command module, and a command loads its own alone (changesets
 * does the same), so start-up does not pay for zod, the audit engine or the reporters.
 */
export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  audit: {
    description: 'audit the modes and owners of a project tree for the web, CLI and cron users',
    usage: '[options] [dir]',
    load: async () => (await import('./audit.js')).defineAudit,
  },
  fix: {
    description: 'apply the plan the audit prints: change owners, groups and modes through checked descriptors, then audit again',
    usage: '[options] [dir]',
    load: async () => (await import('./fix.js')).defineFix,
  },
  access: {
    description: 'show who can read, write, enter and delete paths, and why not',
    usage: '[options] <path...>',
    load: async () => (await import('./access.js')).defineAccess,
  },
  explain: {
    description: 'show what a umask does to new files and directories, and who may then use them',
    usage: '[options] [umask]',
    load: async () => (await import('./explain.js')).defineExplain,
  },
  init: {
    description: 'write a commented permcheck.config.json with the detected preset and users',
    usage: '[options] [dir]',
    load: async () => (await import('./init.js')).defineInit,
  },
  roles: {
    description: 'show the roles of an application as permcheck uses them: users, groups, umasks, and where each was found',
    usage: '[options] [dir]',
    load: async () => (await import('./roles.js')).defineRoles,
  },
};
