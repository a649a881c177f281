import { cronRoles } from './cron-roles.js';
import type { Application, Discovery } from './discovery.js';
import type { HostFacts } from './facts.js';
import { webRole } from './web-role.js';
import { RESERVED_ROLE_NAMES, workerRoles } from './worker-roles.js';

/**
 * What the host's facts say about the roles of the application at `app`. Pure. `crontabUsers`: the
 * users whose own crontabs may decide a role (trustedCrontabUsers in cron-trust.ts).
 */
export function assembleDiscovery(facts: HostFacts, app: Application, crontabUsers: ReadonlySet<string>): Discovery {
  const notes = [...facts.notes];
  const web = webRole(facts, app, notes);
  const cron = cronRoles(facts, app, notes, crontabUsers);
  const taken = [...RESERVED_ROLE_NAMES, ...cron.map((role) => role.name)];
  const workers = workerRoles(facts, app, notes, taken);
  return { roles: [...(web ? [web] : []), ...cron, ...workers], notes };
}
