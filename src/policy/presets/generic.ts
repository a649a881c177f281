import { CODE_READ_ONLY_FOR_WEB, COMPOSER_AUTH, secret, type Preset } from './preset.js';

export const generic: Preset = {
  name: 'generic',
  title: 'any PHP application',
  docs: ['https://www.php.net/manual/en/security.filesystem.php'],
  markers: [],
  paths: [CODE_READ_ONLY_FOR_WEB, secret(['.env', '.env.!(*encrypted)', COMPOSER_AUTH])],
};
