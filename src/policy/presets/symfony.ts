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
    // The cache is written with Filesystem::dumpFile(): tempnam() in the same directory, chmod to the old
    // file's mode or 0666 & ~umask, rename over it; ConfigCache then chmods 0666 & ~umask again. Replacing
    // needs write and search on the directory, not write on the file:
    // https://github.com/symfony/filesystem/blob/v7.1.5/Filesystem.php#L664-L673
    // https://github.com/symfony/symfony/blob/v7.1.5/src/Symfony/Component/Config/ResourceCheckerConfigCache.php#L110-L115
    { match: 'var/cache/**', create: { file: { chmod: '0666 & ~umask' } }, update: 'replace' },
    // .env is committed by convention; machine secrets live in .env.local and .env.*.local, and the
    // vault's decryption key must never be readable by others.
    secret(['.env.local', '.env.*.local', '.env.local.php', 'config/secrets/*/*.decrypt.private.php', COMPOSER_AUTH]),
  ],
};
