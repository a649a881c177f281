import { CODE_READ_ONLY_FOR_WEB, runtimeWritable, secret, type Preset } from './preset.js';

export const wordpress: Preset = {
  name: 'wordpress',
  title: 'WordPress',
  docs: [
    'https://developer.wordpress.org/advanced-administration/security/hardening/#file-permissions',
    'https://developer.wordpress.org/advanced-administration/server/file-permissions/',
  ],
  markers: [['wp-config.php'], ['wp-includes/version.php']],
  core: { name: 'WordPress core', paths: ['wp-admin/**', 'wp-includes/**'] },
  paths: [
    CODE_READ_ONLY_FOR_WEB,
    // Uploads, and the cache and upgrade directories WordPress writes while running.
    runtimeWritable(['wp-content/uploads/**', 'wp-content/cache/**', 'wp-content/upgrade/**']),
    // How uploads are made, whatever the umask:
    // - wp_mkdir_p() asks mkdir() for the parent's mode and chmods every new directory to it when the
    //   umask took bits away (setgid included): https://github.com/WordPress/WordPress/blob/6.1.9/wp-includes/functions.php#L2052-L2066
    // - _wp_handle_upload() moves the upload in from PHP's upload_tmp_dir (so it keeps the group it was
    //   made with) and chmods it to the parent's rw bits: https://github.com/WordPress/WordPress/blob/6.1.9/wp-admin/includes/file.php#L1010-L1013
    //   (thumbnails are written in place and chmodded the same way; the moved original is the stricter case).
    //   Only a browser's upload is moved (move_uploaded_file, web only): a sideload (WP-CLI's media
    //   import) is copied in, so it is made in place and takes the setgid directory's group:
    //   https://github.com/WordPress/WordPress/blob/6.1.9/wp-admin/includes/file.php#L982-L990
    { match: 'wp-content/uploads/**', create: { file: { chmod: 'inherit', moved: ['web'] }, dir: 'inherit' } },
    // Database credentials and the authentication keys and salts.
    secret('wp-config.php'),
  ],
};
