import { CODE_READ_ONLY_FOR_WEB, runtimeWritable, secret, type Preset } from './preset.js';

export const wordpress: Preset = {
  name: 'wordpress',
  title: 'WordPress',
  docs: [
    'https://developer.wordpress.org/advanced-administration/security/hardening/#file-permissions',
    'https://developer.wordpress.org/advanced-administration/server/file-permissions/',
  ],
  markers: [['wp-config.php'], ['wp-includes/version.php']],
  paths: [
    CODE_READ_ONLY_FOR_WEB,
    // Uploads, and the cache and upgrade directories WordPress writes while running.
    runtimeWritable(['wp-content/uploads/**', 'wp-content/cache/**', 'wp-content/upgrade/**']),
    // Database credentials and the authentication keys and salts.
    secret('wp-config.php'),
  ],
};
