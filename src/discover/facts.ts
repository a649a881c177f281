import type { CronJob } from './crontab.js';
import type { FastcgiAddress } from './fastcgi.js';
import type { FpmPoolConfig } from './fpm-config.js';
import type { Located } from './located.js';
import type { ProcStatus } from './proc.js';
import type { SupervisorProgram } from './supervisor-config.js';

/**
 * Everything the host reader found, as plain data: the input of `assembleDiscovery`, which
 * decides what it means for one application.
 */
export interface HostFacts {
  processes: ProcessFacts[];
  fpm: FpmMaster[];
  sites: WebSite[];
  webServers: WebServer[];
  cron: CronFacts;
  supervisors: SupervisorFacts[];
  /** Symlinks resolved by the reader, for paths the facts name (site roots, sockets, commands). */
  realpaths: Record<string, string>;
  /** What could not be read or understood. */
  notes: string[];
}

export interface ProcessFacts extends ProcStatus {
  argv: string[];
  /** The systemd service it runs in (from /proc/PID/cgroup), where read. */
  unit?: string | undefined;
  /** Its environment, read only where needed (supervisord and its children) and when allowed. */
  environ?: Record<string, string> | undefined;
}

/** The UMask= a systemd service runs under. No file: the unit sets none (systemd's default 0022). */
export interface UnitUmask {
  unit: string;
  umask: number;
  file?: string | undefined;
  line?: number | undefined;
}

/** A php-fpm master configuration, running (pid) or only installed. */
export interface FpmMaster {
  conf: string;
  pid: number | undefined;
  pools: FpmPoolConfig[];
  /** The service that starts it (the running master's, else one whose ExecStart names conf). */
  unitUmask: UnitUmask | undefined;
}

/** A document root and where its PHP requests go. */
export interface WebSite {
  server: 'nginx' | 'apache';
  /** The main configuration it was read from (ties it to its WebServer). */
  config: string;
  file: string;
  line: number;
  root: Located;
  fastcgi: Located<FastcgiAddress>[];
  /** Apache with a php module: PHP runs in Apache's own processes when no handler sends it elsewhere. */
  modPhp: boolean;
}

/** A web server's own user and umask: who runs PHP under mod_php. */
export interface WebServer {
  server: 'nginx' | 'apache';
  config: string;
  pid: number | undefined;
  user: Located | undefined;
  group: Located | undefined;
  /** Apache's envvars `umask` line. */
  umask: Located<number> | undefined;
  unitUmask: UnitUmask | undefined;
}

export interface CronFacts {
  jobs: CronJob[];
  /**
   * System crontabs that decide nothing, by file, with why: cron runs /etc/crontab and /etc/cron.d
   * files only when root owns them and neither group nor others can write them ("group 1001 can
   * change it"), and whoever else could change one could write any job into it.
   */
  untrusted: Record<string, string>;
  /** The running cron daemon: jobs inherit its umask. */
  daemon: ProcessFacts | undefined;
  unitUmask: UnitUmask | undefined;
}

export interface SupervisorFacts {
  conf: string;
  /** The running supervisord, if this configuration is the one it runs. */
  process: ProcessFacts | undefined;
  programs: SupervisorProgram[];
  /** [supervisord] user=: supervisord drops to it, and its programs cannot be anyone else. */
  user: Located | undefined;
  unitUmask: UnitUmask | undefined;
}
