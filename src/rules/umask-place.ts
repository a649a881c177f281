import { formatOctal } from '../mode/bits.js';
import type { Role } from '../roles/role.js';

/** Where a role's umask is set, by what the role usually is. */
export function umaskPlace(role: Role, umask: number, preset: string | undefined): string {
  const octal = formatOctal(umask);
  if (preset === 'magento2' && (role.name === 'web' || role.name === 'cli' || role.name === 'cron')) {
    return `echo ${octal.slice(1)} > magento_umask (Magento's bootstrap applies it to every PHP process, web and CLI)`;
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
