import { posix } from 'node:path';
import { assembleDiscovery } from './assemble.js';
import type { Discovery } from './discovery.js';
import { HostFiles } from './host-files.js';
import { readHost, type HostOptions } from './read-host.js';

/**
 * The roles of the application at `app` as this host runs it: the php-fpm pool that serves it,
 * the cron jobs and supervisor programs that work in it, with their users and umasks and where
 * each was found. `crontabUsers`: the users whose own crontabs may decide a role (anyone may
 * install one; trustedCrontabUsers in cron-trust.ts). `options` points the reader at a fixture
 * host instead of / and /proc.
 */
export function discoverRoles(app: string, crontabUsers: ReadonlySet<string>, options: HostOptions = {}): Discovery {
  const notes: string[] = [];
  const files = new HostFiles(options.root ?? '/', notes);
  const facts = readHost(files, options.proc ?? (options.root ? posix.join(options.root, 'proc') : '/proc'), notes);
  return assembleDiscovery(facts, { path: app, real: files.realpath(app) }, crontabUsers);
}

export type { HostOptions };
export { trustedCrontabUsers } from './cron-trust.js';
