import { describe, expect, it } from 'vitest';
import { parseFpmConfig } from '../../../src/discover/fpm-config.js';
import type { IncludeLoader } from '../../../src/discover/located.js';

/** Debian's main file, shortened: comments, a [global] section, an include glob. */
const MAIN = `;;;;;;;;;;;;;;;;;;;;;
; FPM Configuration ;
;;;;;;;;;;;;;;;;;;;;;

; All relative paths in this configuration file are relative to PHP's install
; prefix (/usr). This prefix can be dynamically changed by using the
; '-p' argument from the command line.

[global]
; Pid file
pid = /run/php/php8.2-fpm.pid
error_log = /var/log/php8.2-fpm.log
;include=/etc/php/8.2/fpm/*.conf
include=/etc/php/8.2/fpm/pool.d/*.conf
`;

const WWW = `; Start a new pool named 'www'.
[www]
; Unix user/group of the child processes.
;user = nobody
user = www-data
group = www-data

; The address on which to accept FastCGI requests.
listen = /run/php/php8.2-fpm.sock
listen.owner = www-data
listen.group = www-data
;listen.mode = 0660
listen.acl_users = "nginx,apache" ; inline comment
pm = dynamic
`;

const SHOP = `[shop]
user = shop
group = "www-data"
listen = /run/php/$pool.sock
chdir = /srv/$pool
`;

function loader(files: Record<string, string>): { load: IncludeLoader; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    load: (pattern) => {
      asked.push(pattern);
      const prefix = pattern.replace(/\*\.conf$/, '');
      return Object.keys(files)
        .filter((file) => file.startsWith(prefix))
        .sort()
        .map((file) => ({ file, text: files[file]! }));
    },
  };
}

describe('parseFpmConfig', () => {
  it('reads pools from included files, with the file and line of every key, skipping comments', () => {
    const { load, asked } = loader({ '/etc/php/8.2/fpm/pool.d/www.conf': WWW, '/etc/php/8.2/fpm/pool.d/shop.conf': SHOP });
    const config = parseFpmConfig(MAIN, '/etc/php/8.2/fpm/php-fpm.conf', load);
    expect(asked).toEqual(['/etc/php/8.2/fpm/pool.d/*.conf']);
    expect(config.global.pid).toEqual({ value: '/run/php/php8.2-fpm.pid', file: '/etc/php/8.2/fpm/php-fpm.conf', line: 11 });
    expect(config.pools.map((p) => p.name)).toEqual(['shop', 'www']);
    const www = config.pools.find((p) => p.name === 'www')!;
    expect(www).toMatchObject({ file: '/etc/php/8.2/fpm/pool.d/www.conf', line: 2 });
    expect(www.settings.user).toEqual({ value: 'www-data', file: '/etc/php/8.2/fpm/pool.d/www.conf', line: 5 });
    expect(www.settings['listen.mode']).toBeUndefined();
    expect(www.settings['listen.acl_users']?.value).toBe('nginx,apache');
    expect(www.settings['listen.owner']?.value).toBe('www-data');
  });

  it('puts the pool name in for $pool and drops quotes', () => {
    const config = parseFpmConfig(SHOP, '/etc/php-fpm.d/shop.conf', () => []);
    expect(config.pools[0]!.settings.listen?.value).toBe('/run/php/shop.sock');
    expect(config.pools[0]!.settings.chdir?.value).toBe('/srv/shop');
    expect(config.pools[0]!.settings.group?.value).toBe('www-data');
  });

  it('lets an included file continue the section it is included from, and stops include loops', () => {
    const files = { '/etc/fpm/extra.conf': 'user = late\ninclude=/etc/fpm/extra.conf\n' };
    const config = parseFpmConfig('[app]\ninclude=/etc/fpm/extra.conf\n', '/etc/fpm/main.conf', (p) =>
      p in files ? [{ file: p, text: files[p as keyof typeof files] }] : [],
    );
    expect(config.pools[0]!.settings.user).toEqual({ value: 'late', file: '/etc/fpm/extra.conf', line: 1 });
  });
});
