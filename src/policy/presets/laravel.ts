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
    // Logs (Monolog's StreamHandler) and the file cache (FileStore: makeDirectory 0777, then the file)
    // are made under the umask unless a channel or store sets 'permission' (a chmod, which the
    // hardcoded-mode rule reports):
    // https://github.com/laravel/framework/blob/v13.26.1/src/Illuminate/Cache/FileStore.php#L156 (and #L177)
    // https://github.com/laravel/framework/blob/v13.26.1/src/Illuminate/Log/LogManager.php#L314
    { match: ['storage/logs/**', 'storage/framework/cache/**'], create: { file: '0666', dir: '0777' } },
    // The package and service manifests in bootstrap/cache and the compiled views are written with
    // Filesystem::replace(): tempnam() in the same directory, chmod(0777 - umask()), rename over the old
    // file. Replacing needs write and search on the directory, not write on the file:
    // https://github.com/laravel/framework/blob/v13.26.1/src/Illuminate/Filesystem/Filesystem.php#L222-L233
    // https://github.com/laravel/framework/blob/v13.26.1/src/Illuminate/Foundation/PackageManifest.php#L182
    // https://github.com/laravel/framework/blob/v13.26.1/src/Illuminate/View/Compilers/BladeCompiler.php#L199
    // Both are flat: no directory is made in them.
    {
      match: ['bootstrap/cache/**', 'storage/framework/views/**'],
      create: { file: { chmod: '0777 & ~umask' }, dir: 'none' },
      update: 'replace',
    },
    // Laravel loads .env, or .env.{APP_ENV} when APP_ENV is set (LoadEnvironmentVariables), and
    // copies lie beside them (.env.backup): each holds APP_KEY and the database password. What holds
    // no credential (.env.example) is judged as code by its content; env:encrypt's output is meant to
    // be committed (the key is kept elsewhere):
    // https://github.com/laravel/framework/blob/v13.26.1/src/Illuminate/Foundation/Bootstrap/LoadEnvironmentVariables.php (checkForSpecificEnvironmentFile)
    secret(['.env', '.env.!(*encrypted)', COMPOSER_AUTH]),
  ],
};
