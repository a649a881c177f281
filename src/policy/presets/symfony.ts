import { CODE_READ_ONLY_FOR_WEB, COMPOSER_AUTH, runtimeWritable, secret, type Preset } from './preset.js';

export const symfony: Preset = {
  name: 'symfony',
  title: 'Symfony',
  docs: ['https://symfony.com/doc/current/setup/file_permissions.html', 'https://symfony.com/doc/current/configuration/secrets.html'],
  markers: [['bin/console', 'symfony.lock']],
  paths: [
    CODE_READ_ONLY_FOR_WEB,
    // "The var/ directory must be writable both by the web server and the command line user."
    runtimeWritable(['var/**']),
    // .env is committed by convention; machine secrets live in .env.local and .env.*.local, and the
    // vault's decryption key must never be readable by others.
    secret(['.env.local', '.env.*.local', 'config/secrets/*/*.decrypt.private.php', COMPOSER_AUTH]),
  ],
};
