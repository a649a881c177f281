import { posix } from 'node:path';
import type { Names } from '../access/describe.js';
import { UsageError } from '../errors.js';
import { printable } from '../text/printable.js';
import { untrustedLinks } from '../trust/links.js';
import type { Trust } from '../trust/trust.js';
import { close } from '../walk/fd.js';
import { lookUp, type LookedUp } from '../walk/lookup.js';

/**
 * The application root, looked up as open(2) would, refused when a symlink on the way is someone
 * else's to point: a tenant who owns /home/t may make /home/t/www a link to /etc, and the audit, the
 * config init writes and every fix pasted later would follow it there. The root itself may well be
 * the tenant's; only the links that lead to it must be root's (or the runner's) to decide.
 */
export function lookUpProject(path: string, trust: Trust, names: Names, options: { keepOpen?: boolean } = {}): LookedUp {
  const found = lookUp(path, process.cwd(), { keepTargetOpen: options.keepOpen === true });
  const [first] = untrustedLinks(found.linkPlaces, trust.uids, names);
  if (first === undefined) return found;
  if (found.fd !== undefined) close(found.fd);
  const trustHint = first.user !== undefined ? `, or --trust ${names.user(first.user)} if that user may decide it` : '';
  throw new UsageError(
    `'${printable(path)}' leads through the symlink ${printable(first.link)}, in ${printable(posix.dirname(first.link))}, where ${first.who.join(', ')} ` +
      `can replace it at any moment to point anywhere: permcheck does not follow it to the application root. ` +
      `Name the directory itself (now ${printable(found.resolved)})${trustHint}`,
  );
}
