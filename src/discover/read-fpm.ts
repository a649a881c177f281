import { posix } from 'node:path';
import type { FpmMaster, ProcessFacts, UnitUmask } from './facts.js';
import { parseFpmConfig } from './fpm-config.js';
import type { HostFiles } from './host-files.js';
import { fpmTitle, optionValue } from './proc.js';
import { byRoot, readUnit } from './read-proc.js';
import type { UnitFiles } from './read-units.js';

/** Where distributions and the official image keep php-fpm's main configuration. */
export const FPM_CONFIGS = [
  '/etc/php/*/fpm/php-fpm.conf',
  '/etc/php-fpm.conf',
  '/usr/local/etc/php-fpm.conf',
  '/etc/opt/remi/*/php-fpm.conf',
];

/** php-fpm masters: the running ones (named in their title), then every installed configuration. */
export function readFpm(files: HostFiles, units: UnitFiles, processes: readonly ProcessFacts[], proc: string): FpmMaster[] {
  const masters: FpmMaster[] = [];
  const seen = new Set<string>();
  const add = (conf: string, pid: number | undefined, unitUmask: () => UnitUmask | undefined) => {
    const real = files.realpath(conf);
    if (seen.has(real)) return;
    seen.add(real);
    // Its pools name the web role's user: a configuration someone besides root can change (in a
    // user's own directory, named by a process that user started) decides nothing, nor does a pool
    // file it includes that someone else can change.
    const text = files.readTrusted(conf);
    if (text === undefined) return;
    // Relative includes are relative to php-fpm's prefix: /usr on distributions, /usr/local in the official image.
    const prefix = conf.startsWith('/usr/local/') ? '/usr/local' : '/usr';
    const config = parseFpmConfig(text, conf, (pattern, from) =>
      files.trustedInclude(posix.isAbsolute(pattern) ? pattern : posix.join(prefix, pattern), from),
    );
    masters.push({ conf, pid, pools: config.pools, unitUmask: unitUmask() });
  };
  for (const process of processes) {
    const title = fpmTitle(process.argv);
    // A master root runs (as php-fpm's do): a non-root one runs every pool as its own user, whatever
    // its file says, and any user's program can take the title.
    if (title?.role !== 'master' || process.state === 'Z' || !byRoot(process)) continue;
    add(title.conf, process.pid, () => {
      return units.umaskOfService(readUnit(proc, process.pid), /php-fpm/);
    });
  }
  for (const pattern of FPM_CONFIGS) for (const conf of files.glob(pattern)) add(conf, undefined, () => unitStarting(conf, units));
  return masters;
}

/** The php-fpm service whose ExecStart uses this configuration (named, or the binary's default). */
function unitStarting(conf: string, units: UnitFiles): UnitUmask | undefined {
  for (const { unit, execStart } of units.matching(/^php.*fpm.*\.service$/)) {
    const uses = execStart.some((line) => {
      const argv = line.split(/\s+/);
      const named = optionValue(argv, '-y', '--fpm-config');
      if (named !== undefined) return named === conf;
      const prefix = posix.dirname(posix.dirname(argv[0] ?? ''));
      return (prefix === '/usr' ? '/etc/php-fpm.conf' : `${prefix}/etc/php-fpm.conf`) === conf;
    });
    if (uses) return units.umaskOf(unit);
  }
  return undefined;
}
