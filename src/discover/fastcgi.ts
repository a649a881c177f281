/** Where a web server sends PHP requests, or where a php-fpm pool listens. */
export type FastcgiAddress = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

/**
 * A php-fpm `listen` value: a socket path, a port alone (every address), or host:port with IPv6
 * hosts in brackets.
 */
export function parseListen(value: string): FastcgiAddress | undefined {
  const text = value.trim();
  if (text.startsWith('/')) return { kind: 'unix', path: text };
  if (/^\d+$/.test(text)) return { kind: 'tcp', host: '*', port: Number(text) };
  return hostPort(text);
}

/**
 * A web server's target: nginx `unix:/run/php/x.sock` or `127.0.0.1:9000`; Apache
 * `proxy:unix:/run/php/x.sock|fcgi://localhost` (SetHandler), `proxy:fcgi://127.0.0.1:9000`,
 * `fcgi://127.0.0.1:9000/var/www/$1` or `unix:/run/php/x.sock|fcgi://localhost/` (ProxyPassMatch).
 */
export function parseFastcgiTarget(value: string): FastcgiAddress | undefined {
  const text = value.trim().replace(/^proxy:/i, '');
  const unix = /^unix:([^|]+)/i.exec(text);
  if (unix) return { kind: 'unix', path: unix[1]!.trim() };
  const fcgi = /^fcgi:\/\/([^/]+)/i.exec(text);
  if (fcgi) return hostPort(fcgi[1]!);
  return hostPort(text);
}

function hostPort(text: string): FastcgiAddress | undefined {
  const match = /^(\[[^\]]+\]|[^:\s/]+):(\d+)$/.exec(text);
  if (!match) return undefined;
  return { kind: 'tcp', host: match[1]!.replace(/^\[|\]$/g, ''), port: Number(match[2]) };
}

const ANY = new Set(['*', '0.0.0.0', '::']);
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * Whether a web server's target reaches a pool's listen address. Socket paths are compared after
 * `real` resolves their symlinks (Debian's /run/php/php-fpm.sock points at the versioned one).
 */
export function sameAddress(target: FastcgiAddress, listen: FastcgiAddress, real: (path: string) => string = (p) => p): boolean {
  if (target.kind === 'unix' || listen.kind === 'unix') {
    return target.kind === 'unix' && listen.kind === 'unix' && (target.path === listen.path || real(target.path) === real(listen.path));
  }
  if (target.port !== listen.port) return false;
  if (ANY.has(listen.host) || target.host === listen.host) return true;
  return LOOPBACK.has(target.host) && LOOPBACK.has(listen.host);
}

export function formatAddress(address: FastcgiAddress): string {
  return address.kind === 'unix' ? address.path : `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}
