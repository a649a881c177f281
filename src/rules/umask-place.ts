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
  const unit = unitOf(role);
  switch (role.name) {
    case 'web':
      return unit
        ? `UMask=${octal} for PHP-FPM (systemctl edit ${unit}, then restart it)`
        : `UMask=${octal} for PHP-FPM (systemctl edit on its unit: php8.2-fpm on Debian, php-fpm on RHEL; then restart it)`;
    case 'cli':
      return `umask ${octal} in ${role.user}'s shell profile, or umask(0${octal.slice(1)}) in the CLI entry point`;
    case 'cron':
      return `start the crontab line with "umask ${octal};"`;
    default:
      return unit ? `UMask=${octal} in ${unit} (systemctl edit ${unit})` : `UMask=${octal} in the unit of the ${role.name} service`;
  }
}

/**
 * The systemd unit that starts the role's processes, as discovery found it: the unit it read UMask=
 * from, else Debian's php8.2-fpm for a pool file under /etc/php/8.2/fpm/.
 */
function unitOf(role: Role): string | undefined {
  const unit = role.sources.find((source) => source.unit !== undefined)?.unit;
  if (unit) return unit;
  for (const source of role.sources) {
    const version = source.file ? /^\/etc\/php\/(\d+\.\d+)\/fpm\//.exec(source.file)?.[1] : undefined;
    if (version) return `php${version}-fpm`;
  }
  return undefined;
}
