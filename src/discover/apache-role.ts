import { formatOctal } from '../mode/bits.js';
import type { ValueSource } from './source.js';
import { fileSource, processGids, processSource, unitSource, type DiscoveredRole } from './discovery.js';
import type { HostFacts, WebServer, WebSite } from './facts.js';

/** PHP inside Apache (mod_php): the web role is Apache's User, under Apache's umask. */
export function apacheRole(server: WebServer, facts: HostFacts, site: WebSite): DiscoveredRole {
  const sources: ValueSource[] = [];
  const children = server.pid === undefined ? [] : facts.processes.filter((p) => p.ppid === server.pid && p.uid !== 0 && p.state !== 'Z');
  const child = children[0];
  const role: DiscoveredRole = { name: 'web', user: '', sources };
  const served = fileSource('user', 'web-server', `apache runs PHP itself (mod_php) under ${site.root.value}`, site.root);
  if (child) {
    role.user = child.uid;
    role.group = child.gid;
    role.gids = processGids(child);
    sources.push(processSource('user', 'apache', child), served, processSource('groups', 'apache', child));
    if (server.user)
      role.declaredUser = { user: server.user.value, source: fileSource('user', 'web-server', `User ${server.user.value}`, server.user) };
  } else if (server.user) {
    role.user = server.user.value;
    role.group = server.group?.value;
    sources.push(fileSource('user', 'web-server', `apache User ${server.user.value}`, server.user), served);
    if (server.group)
      sources.push(
        fileSource('groups', 'web-server', `apache Group ${server.group.value}, and the groups listing ${server.user.value}`, server.group),
      );
  }
  const master = facts.processes.find((p) => p.pid === server.pid);
  const umaskProcess = child?.umask !== undefined ? child : master?.umask !== undefined ? master : undefined;
  if (umaskProcess) {
    role.umask = umaskProcess.umask;
    sources.push(processSource('umask', 'apache', umaskProcess));
  } else if (server.umask) {
    role.umask = server.umask.value;
    sources.push(fileSource('umask', 'web-server', `umask ${formatOctal(server.umask.value)} in apache's envvars`, server.umask));
  } else if (server.unitUmask) {
    role.umask = server.unitUmask.umask;
    sources.push(unitSource(server.unitUmask));
  }
  return role;
}
