import { posix } from 'node:path';
import { parseApacheConfig, parseEnvvars } from './apache-config.js';
import type { ProcessFacts, WebServer, WebSite } from './facts.js';
import type { HostFiles } from './host-files.js';
import { parseNginxConfig } from './nginx-config.js';
import { optionValue } from './proc.js';
import { byRoot, readEnviron, readUnit } from './read-proc.js';
import type { UnitFiles } from './read-units.js';

const APACHE_DEFAULTS = [
  { conf: '/etc/apache2/apache2.conf', serverRoot: '/etc/apache2' },
  { conf: '/etc/httpd/conf/httpd.conf', serverRoot: '/etc/httpd' },
];
const NGINX_DEFAULTS = ['/etc/nginx/nginx.conf', '/usr/local/nginx/conf/nginx.conf', '/usr/local/etc/nginx/nginx.conf'];

/** Web servers and their sites: the running ones' configurations, then the installed ones. */
export function readWebServers(
  files: HostFiles,
  units: UnitFiles,
  processes: readonly ProcessFacts[],
  proc: string,
): { servers: WebServer[]; sites: WebSite[] } {
  const servers: WebServer[] = [];
  const sites: WebSite[] = [];
  const seen = new Set<string>();
  const fresh = (conf: string) => {
    const real = files.realpath(conf);
    if (seen.has(real)) return false;
    seen.add(real);
    return true;
  };
  // A server's configuration names the web role's user: only a master root (or the runner) runs may
  // name it, not a program of some user's that takes the server's name (as a supervisor program can).
  const masters = (names: string[]) =>
    processes.filter(
      (p) => names.includes(p.name) && p.state !== 'Z' && byRoot(p) && !processes.some((q) => q.pid === p.ppid && q.name === p.name),
    );

  const apache = [
    ...masters(['apache2', 'httpd']).map((p) => {
      const serverRoot = optionValue(p.argv, '-d', undefined) ?? (p.name === 'httpd' ? '/etc/httpd' : '/etc/apache2');
      const named = optionValue(p.argv, '-f', undefined);
      const conf = named
        ? posix.isAbsolute(named)
          ? named
          : posix.join(serverRoot, named)
        : APACHE_DEFAULTS.find((d) => d.serverRoot === serverRoot)?.conf;
      return { conf: conf ?? `${serverRoot}/conf/httpd.conf`, serverRoot, process: p as ProcessFacts | undefined };
    }),
    ...APACHE_DEFAULTS.map((d) => ({ ...d, process: undefined })),
  ];
  for (const { conf, serverRoot, process } of apache) {
    if (!fresh(conf)) continue;
    const text = files.readTrusted(conf);
    if (text === undefined) continue;
    const envvars = parseEnvvars(files.readTrusted(`${serverRoot}/envvars`) ?? '', `${serverRoot}/envvars`);
    const vars: Record<string, string> = Object.fromEntries(Object.entries(envvars.vars).map(([k, v]) => [k, v.value]));
    // apache2ctl exports envvars into the server's environment: the running server's wins.
    if (process) Object.assign(vars, readEnviron(proc, process.pid) ?? {});
    const config = parseApacheConfig(text, conf, { serverRoot, vars, include: files.trustedInclude });
    const unit = process ? readUnit(proc, process.pid) : undefined;
    servers.push({
      server: 'apache',
      config: conf,
      pid: process?.pid,
      user: config.user,
      group: config.group,
      umask: envvars.umask,
      unitUmask: process ? units.umaskOfService(unit, /apache2|httpd|apachectl/) : units.firstUmask(['apache2.service', 'httpd.service']),
    });
    const hosts = config.virtualHosts.length > 0 ? config.virtualHosts : [config.main];
    for (const host of hosts) {
      const root = host.documentRoot ?? config.main.documentRoot;
      if (!root) continue;
      const fastcgi = host.fastcgi.length > 0 ? host.fastcgi : config.main.fastcgi;
      sites.push({ server: 'apache', config: conf, file: host.file, line: host.line, root, fastcgi, modPhp: config.modPhp !== undefined });
    }
  }

  const nginx = [
    ...masters(['nginx']).map((p) => {
      // nginx rewrites its title: "nginx: master process /usr/sbin/nginx -c /etc/nginx/nginx.conf".
      const argv = p.argv.length === 1 ? p.argv[0]!.split(/\s+/) : p.argv;
      return { conf: optionValue(argv, '-c', undefined) ?? NGINX_DEFAULTS[0]!, process: p as ProcessFacts | undefined };
    }),
    ...NGINX_DEFAULTS.map((conf) => ({ conf, process: undefined })),
  ];
  for (const { conf, process } of nginx) {
    if (!fresh(conf)) continue;
    const text = files.readTrusted(conf);
    if (text === undefined) continue;
    const config = parseNginxConfig(text, conf, files.trustedInclude);
    servers.push({
      server: 'nginx',
      config: conf,
      pid: process?.pid,
      user: config.user,
      group: undefined,
      umask: undefined,
      unitUmask: undefined,
    });
    for (const site of config.sites) sites.push({ server: 'nginx', config: conf, ...site, modPhp: false });
  }
  return { servers, sites };
}
