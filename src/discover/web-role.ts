import { formatOctal } from '../mode/bits.js';
import type { ValueSource } from './source.js';
import { fileSource, processGids, processSource, unitSource, type Application, type DiscoveredRole } from './discovery.js';
import { apacheRole } from './apache-role.js';
import type { FpmMaster, HostFacts, ProcessFacts, WebSite } from './facts.js';
import { formatAddress, parseListen, sameAddress } from './fastcgi.js';
import type { FpmPoolConfig } from './fpm-config.js';
import { where } from './located.js';
import { isInside } from './paths.js';
import { fpmTitle } from './proc.js';

/** A pool with its master and the workers running it now. */
export interface PoolInstance {
  master: FpmMaster;
  pool: FpmPoolConfig;
  masterProcess: ProcessFacts | undefined;
  workers: ProcessFacts[];
}

export function poolInstances(facts: HostFacts): PoolInstance[] {
  return facts.fpm.flatMap((master) => {
    const masterProcess = facts.processes.find((p) => p.pid === master.pid);
    return master.pools.map((pool) => ({
      master,
      pool,
      masterProcess,
      workers: facts.processes.filter((p) => {
        const title = fpmTitle(p.argv);
        return master.pid !== undefined && p.ppid === master.pid && p.state !== 'Z' && title?.role === 'worker' && title.pool === pool.name;
      }),
    }));
  });
}

/** Why a pool was chosen: the site that sends this application's PHP to it. */
interface Match {
  instance: PoolInstance;
  site: WebSite;
  target: WebSite['fastcgi'][number];
}

/**
 * The web role: the php-fpm pool whose socket a web server site rooted in the application sends
 * PHP to; without such a site, the running pool (or the configured one) is assumed and a note
 * says so; without any pool, Apache's own user when it runs PHP itself (mod_php).
 */
export function webRole(facts: HostFacts, app: Application, notes: string[]): DiscoveredRole | undefined {
  const real = (path: string) => facts.realpaths[path] ?? path;
  const instances = poolInstances(facts);
  const sites = sitesServing(facts.sites, app, real);
  const matches: Match[] = [];
  for (const site of sites) {
    for (const target of site.fastcgi) {
      for (const instance of instances) {
        const listen = instance.pool.settings.listen && parseListen(instance.pool.settings.listen.value);
        if (listen && sameAddress(target.value, listen, real)) matches.push({ instance, site, target });
      }
    }
  }
  const distinct = [...new Set(matches.map((m) => m.instance))];
  if (distinct.length > 0) {
    const chosen = distinct.find(isRunning) ?? distinct[0]!;
    if (distinct.length > 1) {
      notes.push(
        `${distinct.length} php-fpm pools could serve ${app.path}: ${distinct.map((i) => poolLabel(i)).join(', ')}; web is taken from pool ${chosen.pool.name} (name the user with --web-user or roles.web.user if that is wrong)`,
      );
    }
    const match = matches.find((m) => m.instance === chosen)!;
    const served: ValueSource = fileSource(
      'user',
      'web-server',
      `${match.site.server} sends PHP under ${match.site.root.value} to ${formatAddress(match.target.value)}`,
      match.target,
    );
    return poolRole(chosen, notes, served);
  }
  for (const site of sites) {
    for (const target of site.fastcgi) {
      notes.push(
        `${site.server} sends PHP under ${site.root.value} to ${formatAddress(target.value)} (${where(target)}), but no php-fpm pool found listens there`,
      );
    }
  }
  const modPhpSite = sites.find((site) => site.modPhp && site.fastcgi.length === 0);
  const apache = modPhpSite && facts.webServers.find((server) => server.server === 'apache' && server.config === modPhpSite.config);
  if (modPhpSite && apache) return apacheRole(apache, facts, modPhpSite);
  const running = instances.filter(isRunning);
  const candidates = running.length > 0 ? running : instances;
  if (candidates.length === 0) return undefined;
  const chosen = candidates[0]!;
  const which =
    candidates.length === 1
      ? `the only ${running.length > 0 ? 'running' : 'configured'} pool`
      : `the first of ${candidates.length} ${running.length > 0 ? 'running' : 'configured'} pools: ${candidates.map((i) => i.pool.name).join(', ')}`;
  notes.push(
    `no web server site found with its root in ${app.path}: web is assumed to be php-fpm pool ${chosen.pool.name} (${which}); name the user with --web-user or roles.web.user if that is wrong`,
  );
  return poolRole(chosen, notes, undefined);
}

function isRunning(instance: PoolInstance): boolean {
  return instance.masterProcess !== undefined;
}

function poolLabel(instance: PoolInstance): string {
  return `${instance.pool.name} (${where(instance.pool)}${instance.masterProcess ? `, running` : ''})`;
}

/** Sites whose root is the application or inside it; failing those, sites whose root holds it. */
function sitesServing(sites: readonly WebSite[], app: Application, real: (path: string) => string): WebSite[] {
  const roots = (site: WebSite) => [site.root.value, real(site.root.value)];
  const dirs = [app.path, app.real];
  const inside = sites.filter((site) => roots(site).some((root) => dirs.some((dir) => isInside(root, dir))));
  if (inside.length > 0) return inside;
  return sites.filter((site) => roots(site).some((root) => root !== '/' && dirs.some((dir) => isInside(dir, root))));
}

function poolRole(instance: PoolInstance, notes: string[], served: ValueSource | undefined): DiscoveredRole | undefined {
  const { pool, workers, master } = instance;
  const label = `php-fpm pool ${pool.name}`;
  const configured = pool.settings.user;
  const poolFile = configured
    ? fileSource('user', 'fpm-pool', `user = ${configured.value} in pool ${pool.name}`, configured, { pool: pool.name })
    : undefined;
  const worker = workers[0];
  const sources: ValueSource[] = [];
  const role: DiscoveredRole = { name: 'web', user: '', sources };
  if (worker) {
    role.user = worker.uid;
    role.group = worker.gid;
    role.gids = processGids(worker);
    sources.push(processSource('user', label, worker, { pool: pool.name }));
    // Where the user is set, to change it; a mismatch with the workers becomes a note.
    if (poolFile) {
      role.declaredUser = { user: configured!.value, source: poolFile };
      sources.push(poolFile);
    }
    if (served) sources.push(served);
    sources.push(processSource('groups', label, worker, { pool: pool.name }));
  } else if (configured) {
    role.user = configured.value;
    sources.push(poolFile!);
    if (served) sources.push(served);
    const group = pool.settings.group;
    role.group = group?.value;
    role.initgroups = true;
    sources.push(
      group
        ? fileSource(
            'groups',
            'fpm-pool',
            `group = ${group.value} in pool ${pool.name}, and the groups listing ${configured.value}`,
            group,
            { pool: pool.name },
          )
        : fileSource(
            'groups',
            'fpm-pool',
            `no group in pool ${pool.name}: ${configured.value}'s primary group, and the groups listing it`,
            pool,
            { pool: pool.name },
          ),
    );
  } else {
    // php-fpm refuses a pool without user when started as root; as a user, the pool runs as that user.
    notes.push(`php-fpm pool ${pool.name} (${where(pool)}) sets no user`);
    return undefined;
  }
  const umask = poolUmask(instance, notes);
  if (umask) {
    role.umask = umask.value;
    sources.push(umask.source);
  }
  const unit = master.unitUmask;
  if (umask?.source.kind === 'process' && unit && unit.umask !== umask.value) {
    const set = unit.file ? `sets UMask=${formatOctal(unit.umask)} (${unit.file}:${unit.line})` : `sets no UMask= (systemd's default 0022)`;
    notes.push(
      `${label} runs under umask ${formatOctal(umask.value)} (pid ${umask.source.pid}), but ${unit.unit} ${set}: a restart changes it`,
    );
  }
  return role;
}

function poolUmask(instance: PoolInstance, notes: string[]): { value: number; source: ValueSource } | undefined {
  const label = `php-fpm pool ${instance.pool.name}`;
  const known = instance.workers.filter((w) => w.umask !== undefined);
  const values = [...new Set(known.map((w) => w.umask!))];
  if (values.length > 1) {
    notes.push(
      `${label}: its workers run under different umasks (${known.map((w) => `pid ${w.pid}: ${formatOctal(w.umask!)}`).join(', ')})`,
    );
  }
  if (known[0]) return { value: known[0].umask!, source: processSource('umask', label, known[0], { pool: instance.pool.name }) };
  // Workers inherit the master's umask: php-fpm has no umask setting of its own.
  const master = instance.masterProcess;
  if (master?.umask !== undefined) {
    return {
      value: master.umask,
      source: processSource('umask', `php-fpm master of pool ${instance.pool.name}`, master, { pool: instance.pool.name }),
    };
  }
  const unit = instance.master.unitUmask;
  if (unit) return { value: unit.umask, source: unitSource(unit) };
  return undefined;
}
