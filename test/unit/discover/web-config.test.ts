import { describe, expect, it } from 'vitest';
import { parseApacheConfig, parseEnvvars } from '../../../src/discover/apache-config.js';
import { parseFastcgiTarget, parseListen, sameAddress } from '../../../src/discover/fastcgi.js';
import type { IncludeLoader } from '../../../src/discover/located.js';
import { parseNginxConfig } from '../../../src/discover/nginx-config.js';

function loaderOf(files: Record<string, string>): IncludeLoader {
  return (pattern) => {
    const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
    return Object.keys(files)
      .filter((file) => regex.test(file))
      .sort()
      .map((file) => ({ file, text: files[file]! }));
  };
}

/** Debian's envvars, shortened, with the umask line admins add for a shared group. */
const ENVVARS = `# envvars - default environment variables for apache2ctl

# this won't be correct after changing uid
unset HOME

# for supporting multiple apache2 instances
if [ "\${APACHE_CONFDIR##/etc/apache2-}" != "\${APACHE_CONFDIR}" ] ; then
	SUFFIX="-\${APACHE_CONFDIR##/etc/apache2-}"
else
	SUFFIX=
fi

export APACHE_RUN_USER=www-data
export APACHE_RUN_GROUP="www-data"
#umask 007
umask 002
`;

describe('Apache', () => {
  it('reads envvars: the run user and group, and an added umask line (not a commented one)', () => {
    const envvars = parseEnvvars(ENVVARS, '/etc/apache2/envvars');
    expect(envvars.vars.APACHE_RUN_USER).toEqual({ value: 'www-data', file: '/etc/apache2/envvars', line: 13 });
    expect(envvars.vars.APACHE_RUN_GROUP?.value).toBe('www-data');
    expect(envvars.umask).toEqual({ value: 0o002, file: '/etc/apache2/envvars', line: 16 });
  });

  it('follows IncludeOptional from ServerRoot, fills ${VARS}, and finds each vhost root and its php-fpm socket', () => {
    const files = {
      '/etc/apache2/mods-enabled/php8.2.load': 'LoadModule php_module /usr/lib/apache2/modules/libphp8.2.so\n',
      '/etc/apache2/conf-enabled/php8.2-fpm.conf': `<IfModule !mod_php8.c>
<IfModule proxy_fcgi_module>
    <FilesMatch ".+\\.ph(?:ar|p|tml)$">
        SetHandler "proxy:unix:/run/php/php8.2-fpm.sock|fcgi://localhost"
    </FilesMatch>
</IfModule>
</IfModule>
`,
      '/etc/apache2/sites-enabled/000-default.conf': '<VirtualHost *:80>\n\tDocumentRoot /var/www/html\n</VirtualHost>\n',
      '/etc/apache2/sites-enabled/shop.conf': `<VirtualHost *:443>
    ServerName shop.example.com
    DocumentRoot "/srv/shop/current/pub/"
    <FilesMatch \\.php$>
        SetHandler "proxy:unix:/run/php/shop.sock|fcgi://localhost"
    </FilesMatch>
</VirtualHost>
<VirtualHost *:8080>
    DocumentRoot /srv/legacy
    ProxyPassMatch ^/(.*\\.php(/.*)?)$ fcgi://127.0.0.1:9000/srv/legacy/$1
</VirtualHost>
`,
    };
    const main = `DefaultRuntimeDir \${APACHE_RUN_DIR}
User \${APACHE_RUN_USER}
Group \${APACHE_RUN_GROUP}
IncludeOptional mods-enabled/*.load
IncludeOptional conf-enabled/*.conf
IncludeOptional sites-enabled/*.conf
`;
    const config = parseApacheConfig(main, '/etc/apache2/apache2.conf', {
      serverRoot: '/etc/apache2',
      vars: { APACHE_RUN_USER: 'www-data', APACHE_RUN_GROUP: 'www-data' },
      include: loaderOf(files),
    });
    expect(config.user).toEqual({ value: 'www-data', file: '/etc/apache2/apache2.conf', line: 2 });
    expect(config.modPhp).toMatchObject({ value: 'php_module', file: '/etc/apache2/mods-enabled/php8.2.load' });
    // Debian's conf-enabled handler applies to every vhost without its own.
    expect(config.main.fastcgi.map((t) => t.value)).toEqual([{ kind: 'unix', path: '/run/php/php8.2-fpm.sock' }]);
    expect(config.virtualHosts.map((v) => [v.file, v.line, v.documentRoot?.value, v.fastcgi.map((t) => t.value)])).toEqual([
      ['/etc/apache2/sites-enabled/000-default.conf', 1, '/var/www/html', []],
      ['/etc/apache2/sites-enabled/shop.conf', 1, '/srv/shop/current/pub', [{ kind: 'unix', path: '/run/php/shop.sock' }]],
      ['/etc/apache2/sites-enabled/shop.conf', 8, '/srv/legacy', [{ kind: 'tcp', host: '127.0.0.1', port: 9000 }]],
    ]);
  });
});

describe('nginx', () => {
  it('finds the user, each server root, fastcgi_pass through upstreams and includes, and location roots', () => {
    const files = {
      '/etc/nginx/sites-enabled/shop': `upstream fastcgi_backend {
    server unix:/run/php/shop.sock;
}
server {
    listen 80;
    server_name shop.example.com;
    set $MAGE_ROOT /srv/shop;
    root /srv/shop/pub; # the docroot
    location ~ \\.php$ {
        include snippets/fastcgi-php.conf;
        fastcgi_pass fastcgi_backend;
    }
}
server {
    root "/var/www/html";
    location /blog {
        root /srv/blog;
        location ~ \\.php$ { fastcgi_pass 127.0.0.1:9000; }
    }
    location /api { fastcgi_pass $backend; }
}
`,
      '/etc/nginx/snippets/fastcgi-php.conf': 'fastcgi_split_path_info ^(.+?\\.php)(/.*)$;\nfastcgi_index index.php;\n',
    };
    const config = parseNginxConfig(
      `user nginx;\nworker_processes auto;\nhttp {\n    include /etc/nginx/sites-enabled/*;\n}\n`,
      '/etc/nginx/nginx.conf',
      loaderOf(files),
    );
    expect(config.user).toEqual({ value: 'nginx', file: '/etc/nginx/nginx.conf', line: 1 });
    expect(config.sites.map((s) => [s.root.value, s.root.line, s.fastcgi.map((t) => [t.value, t.line])])).toEqual([
      ['/srv/shop/pub', 8, [[{ kind: 'unix', path: '/run/php/shop.sock' }, 11]]],
      ['/var/www/html', 15, []],
      ['/srv/blog', 17, [[{ kind: 'tcp', host: '127.0.0.1', port: 9000 }, 18]]],
    ]);
    expect(config.unresolved.map((u) => u.value)).toEqual(['$backend']);
  });
});

describe('FastCGI addresses', () => {
  it('reads pool listen values and web server targets', () => {
    expect(parseListen('/run/php/php8.2-fpm.sock')).toEqual({ kind: 'unix', path: '/run/php/php8.2-fpm.sock' });
    expect(parseListen('9000')).toEqual({ kind: 'tcp', host: '*', port: 9000 });
    expect(parseListen('[::1]:9001')).toEqual({ kind: 'tcp', host: '::1', port: 9001 });
    expect(parseFastcgiTarget('unix:/run/php/x.sock')).toEqual({ kind: 'unix', path: '/run/php/x.sock' });
    expect(parseFastcgiTarget('proxy:unix:/run/php/x.sock|fcgi://localhost')).toEqual({ kind: 'unix', path: '/run/php/x.sock' });
    expect(parseFastcgiTarget('proxy:fcgi://127.0.0.1:9000')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 9000 });
    expect(parseFastcgiTarget('fastcgi_backend')).toBeUndefined();
  });

  it('matches targets to listen addresses: symlinked sockets, any address, loopback names', () => {
    const real = (p: string) => (p === '/run/php/php-fpm.sock' ? '/run/php/php8.2-fpm.sock' : p);
    expect(sameAddress({ kind: 'unix', path: '/run/php/php-fpm.sock' }, { kind: 'unix', path: '/run/php/php8.2-fpm.sock' }, real)).toBe(
      true,
    );
    expect(sameAddress({ kind: 'unix', path: '/run/php/a.sock' }, { kind: 'unix', path: '/run/php/b.sock' }, real)).toBe(false);
    expect(sameAddress({ kind: 'tcp', host: '127.0.0.1', port: 9000 }, { kind: 'tcp', host: '*', port: 9000 })).toBe(true);
    expect(sameAddress({ kind: 'tcp', host: 'localhost', port: 9000 }, { kind: 'tcp', host: '127.0.0.1', port: 9000 })).toBe(true);
    expect(sameAddress({ kind: 'tcp', host: '10.0.0.2', port: 9000 }, { kind: 'tcp', host: '127.0.0.1', port: 9000 })).toBe(false);
    expect(sameAddress({ kind: 'tcp', host: '127.0.0.1', port: 9000 }, { kind: 'unix', path: '/x' })).toBe(false);
  });
});
