import { CODE_READ_ONLY_FOR_WEB, COMPOSER_AUTH, runtimeWritable, secret, type Preset } from './preset.js';

export const laravel: Preset = {
  name: 'laravel',
  title: 'Laravel',
  docs: ['https://laravel.com/docs/installation#directory-permissions', 'https://laravel.com/docs/deployment#directory-permissions'],
  markers: [['artisan', 'bootstrap/app.php']],
  paths: [
    CODE_READ_ONLY_FOR_WEB,
    // "Laravel will need to write to the bootstrap/cache and storage directories."
    runtimeWritable(['storage/**', 'bootstrap/cache/**']),
    secret(['.env', '.env.*.local', COMPOSER_AUTH]),
  ],
};
