/** Where a role's value was found, in the order permcheck trusts them (flags first). */
export type SourceKind =
  | 'flag'
  | 'config'
  | 'framework'
  | 'process'
  | 'fpm-pool'
  | 'systemd'
  | 'crontab'
  | 'supervisor'
  | 'web-server'
  | 'user-database'
  | 'default';

/** One value of a role (its user, groups or umask) and where it came from. */
export interface ValueSource {
  field: 'user' | 'groups' | 'umask';
  kind: SourceKind;
  /** In words, for the audit header and `permcheck roles`: "php-fpm pool www, pid 812". */
  text: string;
  file?: string;
  line?: number;
  pid?: number;
  pool?: string;
  unit?: string;
  program?: string;
  /** The cron job's command, for a crontab source. */
  command?: string;
}
