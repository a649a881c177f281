import type { Command } from 'commander';
import { repeatable } from './repeatable.js';

/** The flags that bind roles to users, shared by `access` and `audit`. */
export function addRoleOptions(command: Command): Command {
  return command
    .option('--config <file>', 'permcheck.config.json to use (default: found in the project directory)')
    .option('--web-user <user>', 'user (name or uid) of the web server / PHP-FPM role')
    .option('--cli-user <user>', 'user of the deploy / CLI role (default: owner of the project directory)')
    .option('--cron-user <user>', 'user of the cron role (default: the CLI user)')
    .option('--passwd <file>', "read users from this file instead of /etc/passwd (another host's users)")
    .option('--group <file>', 'read groups from this file instead of /etc/group')
    .option('--trust <user>', 'also trust config and settings files this user owns (repeatable; root and you always are)', repeatable);
}
