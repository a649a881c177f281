import { CODE_READ_ONLY_FOR_WEB, COMPOSER_AUTH, runtimeWritable, secret, type Preset } from './preset.js';

export const shopware: Preset = {
  name: 'shopware',
  title: 'Shopware 6',
  docs: [
    'https://developer.shopware.com/docs/guides/installation/requirements.html',
    'https://developer.shopware.com/docs/guides/hosting/',
  ],
  markers: [['vendor/shopware/core'], ['src/Core/Kernel.php', 'bin/console']],
  paths: [
    CODE_READ_ONLY_FOR_WEB,
    // Caches and logs, media and thumbnails, sitemaps, compiled themes, documents.
    runtimeWritable(['var/**', 'public/media/**', 'public/thumbnail/**', 'public/sitemap/**', 'public/theme/**', 'files/**']),
    // App secrets and the keys that sign API tokens.
    secret(['.env', '.env.local', '.env.*.local', '.env.local.php', 'config/jwt/**', COMPOSER_AUTH]),
  ],
};
