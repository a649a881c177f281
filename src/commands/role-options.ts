import type { Command } from 'commander';
import { repeatable } from './repeatable.js';

/** The flags that bind roles to users, shared by `access`, `audit`, `explain` and `roles`. */
export function addRoleOptions(command: Command): Command {
  return addDiscoverOption(
    command
      .option('--config <file>', 'permcheck.config.json to use (default: found in the project directory)')
      .option('--web-user <user>', 'user (name or uid) of the web server / PHP-FPM role (default: the php-fpm pool serving the project)')
      .option('--cli-user <user>', 'user of the deploy / CLI role (default: owner of the project directory)')
      .option('--cron-user <user>', "user of the cron role (default: the user of the project's cron jobs, else the CLI user)")
      .option('--passwd <file>', "read users from this file instead of /etc/passwd (another host's users; turns --no-discover on)")
      .option('--group <file>', 'read groups from this file instead of /etc/group')
      .option('--trust <user>', 'also trust config and settings files this user owns (repeatable; root and you always are)', repeatable),
  );
}

/** --no-discover: do not look at what this host runs (php-fpm, cron, supervisor) to bind roles. */
export function addDiscoverOption(command: Command): Command {
  return command.option(
    '--no-discover',
    "bind roles from flags, config and defaults only, not from this host's php-fpm, cron and supervisor",
  );
}
