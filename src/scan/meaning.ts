import { formatOctal } from '../mode/bits.js';
import { creationMode, defaultRequested } from '../mode/creation.js';
import type { ModeSite } from './types.js';
import { wordList } from '../text/word-list.js';

export interface ModeSiteAdvice {
  /** What the site does to the entries, for the roles: "files written here are 0644 whatever the umask: …". */
  meaning: string;
  /** The change that fixes it: the code change or the configuration key. */
  fix: string;
}

export interface AdviceContext {
  /** Roles that reach these entries through their group (not as their owner), such as ['cli', 'cron']. */
  groupRoles?: string[];
}

/**
 * The mode an entry made or changed at this site gets when the process runs under `umask`;
 * undefined for a umask site (it changes what every later creation gets).
 */
export function resultingMode(site: ModeSite, umask: number): number | undefined {
  const kind = site.applies;
  if (kind === 'umask') return undefined;
  switch (site.effect.kind) {
    case 'chmod':
      return site.mode & 0o7777;
    case 'create':
      return creationMode(kind, site.mode, umask);
    case 'create-forced':
      return creationMode(kind, site.mode, site.effect.umask);
    default:
      return undefined;
  }
}

/** What the group and others can do with entries of this mode. */
function consequence(kind: 'file' | 'directory', mode: number, context: AdviceContext): string {
  const who = context.groupRoles?.length ? wordList(context.groupRoles) : 'roles that share the group';
  if (mode & 0o002) return kind === 'file' ? 'any local user can change them' : 'any local user can add, replace or delete entries in them';
  if (!(mode & 0o020)) return kind === 'file' ? `${who} cannot update them` : `${who} cannot create or delete entries in them`;
  return kind === 'file' ? `${who} can update them` : `${who} can create entries in them`;
}

/** Fixes that a framework documents, by Composer package or by file. */
function knownFix(site: ModeSite): string | undefined {
  if (site.package?.name === 'smarty/smarty' || /smarty_internal_runtime_writefile\.php$/.test(site.file))
    return 'upgrade Smarty to 4.3 or later (it uses 0666 & ~umask()), or set $smarty->_file_perms = 0664 and $smarty->_dir_perms = 0775 where Smarty is configured';
  if (site.call.startsWith("define('FS_CHMOD_"))
    return `define('${site.applies === 'file' ? 'FS_CHMOD_FILE' : 'FS_CHMOD_DIR'}', ${site.applies === 'file' ? '0664' : '02775'}) in wp-config.php when the deploy user shares the web group`;
  if (/file_chmod_/.test(site.call))
    return `$settings['file_chmod_${site.applies === 'file' ? 'file' : 'directory'}'] = ${site.applies === 'file' ? '0664' : '0775'}; in settings.php`;
  if (site.call.startsWith("'permissions' =>"))
    return "give the disk 'permissions' => ['file' => ['public' => 0664, 'private' => 0660], 'dir' => ['public' => 0775, 'private' => 0770]] in config/filesystems.php";
  if (site.call.startsWith("'permission' =>"))
    return "set 'permission' => 0664 (or remove it to follow the umask) in the channel or store config";
  return undefined;
}

export function describeModeSite(site: ModeSite, context: AdviceContext = {}): ModeSiteAdvice {
  const kind = site.applies;
  const known = knownFix(site);
  if (kind === 'umask') {
    const files = formatOctal(creationMode('file', 0o666, site.mode));
    const dirs = formatOctal(creationMode('directory', 0o777, site.mode));
    return {
      meaning: `sets the process umask to ${formatOctal(site.mode)} whatever the service runs with: files it creates afterwards are ${files}, directories ${dirs}`,
      fix:
        known ??
        'remove the umask() call and set the umask of the service (systemd UMask=, supervisor umask=), or restore the old umask right after',
    };
  }
  const noun = kind === 'file' ? 'files' : 'directories';
  const verb = site.effect.kind === 'chmod' ? (kind === 'file' ? 'written or changed' : 'changed') : 'created';
  const via = site.via ? ` (${site.via}${site.origin === 'parameter' ? ' when the caller passes none' : ''})` : '';
  const requested = formatOctal(defaultRequested(kind)).slice(1);
  if (site.effect.kind === 'create') {
    return {
      meaning: `${noun} ${verb} here ask for ${formatOctal(site.mode)}${via}, then the umask narrows it: at most ${formatOctal(site.mode)}, so ${consequence(kind, site.mode, context)}`,
      fix: known ?? `ask for 0${requested} and let the umask decide, or for the mode the shared group needs (0775)`,
    };
  }
  const mode = resultingMode(site, 0)!;
  const how = site.effect.kind === 'create-forced' ? ` (after umask(${formatOctal(site.effect.umask)}))` : '';
  return {
    meaning: `${noun} ${verb} here are ${formatOctal(mode)}${via}${how} whatever the umask: ${consequence(kind, mode, context)}`,
    fix:
      known ??
      `use 0${requested} & ~umask() instead of ${formatOctal(site.mode)}${site.via ? ` for ${site.via}` : ''}, so the umask decides`,
  };
}
