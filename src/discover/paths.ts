/** Whether `path` is `dir` or below it (both absolute and normalized). */
export function isInside(path: string, dir: string): boolean {
  if (dir === '/') return path.startsWith('/');
  return path === dir || path.startsWith(`${dir}/`);
}

/**
 * The absolute paths a shell command names: words and `--opt=/path` values starting with `/`,
 * without quotes and trailing separators. `cd /srv/shop && php bin/magento cron:run` names
 * /srv/shop.
 */
export function pathsIn(command: string): string[] {
  const found = new Set<string>();
  for (const match of command.matchAll(/(?:^|[\s=:'"(;&|<>])(\/[^\s'";&|<>()`]*)/g)) {
    const path = match[1]!.replace(/\/+$/, '') || '/';
    if (path !== '/') found.add(path.replace(/\/{2,}/g, '/').replace(/\/\.(?=\/|$)/g, ''));
  }
  return [...found];
}

/** A name permcheck accepts as a role: lower case, [a-z][a-z0-9_-]*. */
export function roleNameFrom(text: string): string {
  const name = text
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '');
  return name === '' ? 'worker' : name;
}
