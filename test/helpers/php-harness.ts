import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The PHP harnesses that run real framework code (test/helpers/php/*.php). */
export type Harness = 'wordpress-upload' | 'wordpress-sideload' | 'smarty-compile' | 'illuminate-replace' | 'symfony-dumpfile';

/** Debian packages each harness needs, and the file that shows the package is there. */
export const HARNESS_PACKAGES: Record<Harness, { package: string; file: string }> = {
  'wordpress-upload': { package: 'wordpress', file: '/usr/share/wordpress/wp-includes/functions.php' },
  'wordpress-sideload': { package: 'wordpress', file: '/usr/share/wordpress/wp-includes/functions.php' },
  'smarty-compile': { package: 'smarty3', file: '/usr/share/php/smarty3/Smarty.class.php' },
  'illuminate-replace': { package: 'php-illuminate-filesystem', file: '/usr/share/php/Illuminate/Filesystem/autoload.php' },
  'symfony-dumpfile': { package: 'php-symfony-filesystem', file: '/usr/share/php/Symfony/Component/Filesystem/autoload.php' },
};

export interface Created {
  path: string;
  type: 'file' | 'directory';
  mode: number;
  uid: number;
  gid: number;
}

export interface HarnessRun {
  /** The umask PHP saw (after the framework ran: Smarty restores its own). */
  umask: number;
  entries: Created[];
}

export interface RunAs {
  uid: number;
  gid: number;
  /** Supplementary groups (the primary is added). */
  groups: number[];
  umask: number;
}

const dir = fileURLToPath(new URL('./php/', import.meta.url));

/**
 * Run a harness as a user with a umask: `setpriv --reuid --regid --groups` (no account needed),
 * then `umask` in a shell that execs php, so PHP starts under exactly that umask as PHP-FPM would.
 */
export function runHarness(harness: Harness, args: string[], as: RunAs): HarnessRun {
  const umask = as.umask.toString(8).padStart(4, '0');
  const shell = ['sh', '-c', `umask ${umask} && exec php "$@"`, 'sh', `${dir}${harness}.php`, ...args];
  const groups = [as.gid, ...as.groups.filter((g) => g !== as.gid)].join(',');
  const command =
    process.getuid?.() === 0
      ? ['setpriv', `--reuid=${as.uid}`, `--regid=${as.gid}`, `--groups=${groups}`, '--inh-caps=-all', '--', ...shell]
      : shell;
  const result = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${harness} exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout) as HarnessRun;
}

export function phpAvailable(): boolean {
  return spawnSync('php', ['-v']).status === 0;
}
