import { CODE_READ_ONLY_FOR_WEB, COMPOSER_AUTH, runtimeWritable, secret, type Preset } from './preset.js';

/** Drupal's web root is the project root, or web/ or docroot/ in Composer-based projects. */
const ROOTS = '{,web/,docroot/}';

export const drupal: Preset = {
  name: 'drupal',
  title: 'Drupal',
  docs: ['https://www.drupal.org/docs/administering-a-drupal-site/security-in-drupal/securing-file-permissions-and-ownership'],
  markers: [['core/lib/Drupal.php'], ['web/core/lib/Drupal.php'], ['docroot/core/lib/Drupal.php']],
  core: { name: 'Drupal core', paths: [`${ROOTS}core/**`] },
  paths: [
    CODE_READ_ONLY_FOR_WEB,
    // The public files directory of each site.
    runtimeWritable([`${ROOTS}sites/*/files/**`]),
    // Drupal chmods what it creates there to file_chmod_file / file_chmod_directory from settings.php,
    // by default 0664 / 0775, whatever the umask (a chmod 0775 also clears setgid on new directories):
    // https://github.com/drupal/drupal/blob/16552b02a3d1d66d224bd5888408017a5d93bf58/core/lib/Drupal/Core/File/FileSystem.php#L28-L33
    // (FileSystem::chmod() and mkdir(), same file). A different value in settings.php is reported by the
    // hardcoded-mode rule; describe it under paths[].create in the config.
    { match: `${ROOTS}sites/*/files/**`, create: { file: { chmod: '0664' }, dir: { chmod: '0775' } } },
    secret([COMPOSER_AUTH]),
    // settings.php holds the database credentials and must be read-only, for the deploy user too
    // (Drupal's status report warns when it is writable).
    {
      match: [`${ROOTS}sites/*/settings.php`, `${ROOTS}sites/*/settings.local.php`],
      secret: true,
      access: { web: 'read', cli: 'read', others: 'none' },
    },
  ],
};
