import { formatOctal } from '../mode/bits.js';
import type { Role } from '../roles/role.js';
import { UNSAFE_PATH } from './unsafe-path.js';

/**
 * Where a role's umask is set, by what the role usually is. `rootSafe`: no one untrusted can change the
 * audited root, so a command writing a file in it may be printed (a magento_umask someone swapped for a
 * symlink would have `echo` write through it, as root).
 */
export function umaskPlace(role: Role, umask: number, preset: string | undefined, rootSafe: boolean): string {
  const octal = formatOctal(umask);
  if (preset === 'magento2' && (role.name === 'web' || role.name === 'cli' || role.name === 'cron')) {
    return rootSafe
      ? `echo ${octal.slice(1)} > magento_umask (Magento's bootstrap applies it to every PHP process, web and CLI)`
      : `${octal.slice(1)} in the application's magento_umask (Magento's bootstrap applies it to every PHP process, web and CLI; ${UNSAFE_PATH})`;
  }
  switch (role.name) {
    case 'web':
      return `UMask=${octal} for PHP-FPM (systemctl edit php-fpm, then restart it)`;
    case 'cli':
      return `umask ${octal} in ${role.user}'s shell profile, or umask(0${octal.slice(1)}) in the CLI entry point`;
    case 'cron':
      return `start the crontab line with "umask ${octal};"`;
    default:
      return `UMask=${octal} in the unit of the ${role.name} service`;
  }
}
