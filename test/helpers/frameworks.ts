import type { EntrySpec } from './tree.js';
import { DEPLOY, WEB } from './users.js';

/** The shared group of the web and deploy users (www-data on a real host). */
export const WWW = 21100;

const code = (path: string, mode = 0o640): EntrySpec => ({ path, type: 'file', mode, uid: DEPLOY.uid, gid: WWW });
const codeDir = (path: string): EntrySpec => ({ path, type: 'dir', mode: 0o2750, uid: DEPLOY.uid, gid: WWW });
const writable = (path: string): EntrySpec => ({ path, type: 'dir', mode: 0o2770, uid: DEPLOY.uid, gid: WWW });
const data = (path: string): EntrySpec => ({ path, type: 'file', mode: 0o660, uid: DEPLOY.uid, gid: WWW });

/**
 * The layout Magento's docs recommend for two users: code deploy:www-data 2750/0640, the
 * directories Magento writes 2770/0660 (setgid, so the group stays), secrets 0640.
 */
export function magentoTree(): EntrySpec[] {
  return [
    codeDir('.'),
    codeDir('app'),
    codeDir('app/etc'),
    code('app/etc/env.php'),
    code('app/etc/config.php'),
    code('app/etc/di.xml'),
    code('app/bootstrap.php'),
    codeDir('bin'),
    code('bin/magento', 0o750),
    codeDir('vendor'),
    codeDir('vendor/magento'),
    codeDir('vendor/magento/framework'),
    code('vendor/magento/framework/App.php'),
    code('vendor/magento/framework/Url.php'),
    code('vendor/autoload.php'),
    writable('generated'),
    writable('generated/code'),
    data('generated/code/Interceptor.php'),
    writable('var'),
    writable('var/cache'),
    data('var/cache/mage--a'),
    writable('var/log'),
    data('var/log/system.log'),
    codeDir('pub'),
    code('pub/index.php'),
    writable('pub/static'),
    writable('pub/static/frontend'),
    data('pub/static/frontend/styles.css'),
    writable('pub/media'),
    writable('pub/media/catalog'),
    data('pub/media/catalog/shoe.jpg'),
  ];
}

export function laravelTree(): EntrySpec[] {
  return [
    codeDir('.'),
    code('artisan', 0o750),
    code('.env'),
    codeDir('app'),
    codeDir('app/Http'),
    code('app/Http/Kernel.php'),
    codeDir('bootstrap'),
    code('bootstrap/app.php'),
    writable('bootstrap/cache'),
    data('bootstrap/cache/packages.php'),
    codeDir('public'),
    code('public/index.php'),
    writable('storage'),
    writable('storage/logs'),
    data('storage/logs/laravel.log'),
    writable('storage/framework'),
    writable('storage/framework/cache'),
    data('storage/framework/cache/ab12'),
    codeDir('vendor'),
    code('vendor/autoload.php'),
  ];
}

export function wordpressTree(): EntrySpec[] {
  return [
    codeDir('.'),
    code('index.php'),
    code('wp-config.php'),
    codeDir('wp-includes'),
    code('wp-includes/version.php'),
    codeDir('wp-content'),
    codeDir('wp-content/plugins'),
    codeDir('wp-content/plugins/akismet'),
    code('wp-content/plugins/akismet/akismet.php'),
    writable('wp-content/uploads'),
    writable('wp-content/uploads/2026'),
    data('wp-content/uploads/2026/shoe.jpg'),
  ];
}

/** Replace the specs of some paths (a planted fault), keeping the rest of the tree. */
export function plant(tree: EntrySpec[], ...faults: EntrySpec[]): EntrySpec[] {
  const byPath = new Map(tree.map((entry) => [entry.path, entry]));
  for (const fault of faults) byPath.set(fault.path, { ...byPath.get(fault.path), ...fault });
  return [...byPath.values()];
}

export const ROLES_CONFIG = { roles: { web: { user: 'web' }, cli: { user: 'deploy' }, cron: { user: 'deploy' } } };

/** The shared-group recipe needs a shared umask: 002 for every role, so the group can write. */
export const SHARED_UMASK_CONFIG = { ...ROLES_CONFIG, umask: '0002' };

export { DEPLOY, WEB };
