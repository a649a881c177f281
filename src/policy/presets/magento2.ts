import { CODE_READ_ONLY_FOR_WEB, COMPOSER_AUTH, runtimeWritable, secret, type Preset } from './preset.js';

export const magento2: Preset = {
  name: 'magento2',
  title: 'Magento 2 / Adobe Commerce',
  docs: [
    'https://experienceleague.adobe.com/en/docs/commerce-operations/installation-guide/prerequisites/file-system/configure-permissions',
    'https://experienceleague.adobe.com/en/docs/commerce-operations/configuration-guide/deployment/file-system-permissions',
  ],
  markers: [['bin/magento'], ['app/etc/di.xml', 'app/bootstrap.php']],
  // app/bootstrap.php applies the umask in magento_umask, or 002 without that file, to every
  // PHP process it starts, web and CLI alike (src/policy/choose.ts reads it):
  // https://github.com/magento/magento2/blob/0486d099e520a0404bdee24ec3482f8e73279913/app/bootstrap.php#L36-L39
  umask: '0002',
  paths: [
    CODE_READ_ONLY_FOR_WEB,
    // "The following directories must be writable": var, generated, pub/static, pub/media (app/etc
    // only during installation).
    runtimeWritable(['var/**', 'generated/**', 'pub/static/**', 'pub/media/**']),
    // Database credentials and the encryption key.
    secret(['app/etc/env.php', COMPOSER_AUTH]),
  ],
};
