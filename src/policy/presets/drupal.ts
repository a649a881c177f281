import { CODE_READ_ONLY_FOR_WEB, COMPOSER_AUTH, runtimeWritable, secret, type Preset } from './preset.js';

/** Drupal's web root is the project root, or web/ or docroot/ in Composer-based projects. */
const ROOTS = '{,web/,docroot/}';

export const drupal: Preset = {
  name: 'drupal',
  title: 'Drupal',
  docs: ['https://www.drupal.org/docs/administering-a-drupal-site/security-in-drupal/securing-file-permissions-and-ownership'],
  markers: [['core/lib/Drupal.php'], ['web/core/lib/Drupal.php'], ['docroot/core/lib/Drupal.php']],
  paths: [
    CODE_READ_ONLY_FOR_WEB,
    // The public files directory of each site.
    runtimeWritable([`${ROOTS}sites/*/files/**`]),
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
