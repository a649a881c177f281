// Builds a vendor-like tree of real PHP sources for the scan benchmark: Debian's PHP files
// (/usr/share/php, /usr/share/wordpress) copied cyclically as Composer packages
// vendor/<vendor>/<name>/..., round after round, until the tree holds the wanted number of PHP
// files. Deterministic for a size and a set of installed packages.
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const SOURCES = ['/usr/share/php', '/usr/share/wordpress'];

/** Regular .php files below dir, sorted, never through a symlink. */
function phpFiles(dir, rel = '') {
  const out = [];
  for (const name of readdirSync(join(dir, rel)).sort()) {
    const sub = rel ? `${rel}/${name}` : name;
    const stats = lstatSync(join(dir, sub));
    if (stats.isDirectory()) out.push(...phpFiles(dir, sub));
    else if (stats.isFile() && name.endsWith('.php')) out.push(sub);
  }
  return out;
}

/**
 * The packages to copy: each directory two levels below a source root (Illuminate/Filesystem,
 * Symfony/Component) or one level when it holds PHP files itself (smarty3, Carbon), named the
 * way Composer would name it.
 */
export function debianPackages() {
  const packages = [];
  for (const root of SOURCES) {
    if (!existsSync(root)) continue;
    const files = phpFiles(root);
    const byPackage = new Map();
    for (const file of files) {
      const parts = file.split('/');
      const key = parts.length > 2 ? parts.slice(0, 2).join('/') : parts.length === 2 ? parts[0] : '.';
      if (!byPackage.has(key)) byPackage.set(key, []);
      byPackage.get(key).push(file);
    }
    for (const [key, list] of byPackage) {
      const parts = key === '.' ? [root.split('/').pop()] : key.split('/');
      const slug = (text) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-');
      packages.push({
        vendor: slug(parts[0]),
        name: slug(parts[1] ?? parts[0]),
        base: key === '.' ? root : join(root, key),
        files: list.map((f) => (key === '.' ? f : f.slice(key.length + 1))),
      });
    }
  }
  return packages;
}

/** Copy packages round after round until `count` PHP files are in `root`/vendor; returns the count. */
export function buildPhpTree(root, count) {
  const packages = debianPackages();
  const total = packages.reduce((sum, p) => sum + p.files.length, 0);
  if (total === 0)
    throw new Error('no PHP files under /usr/share/php or /usr/share/wordpress: install smarty3, wordpress, php-illuminate-filesystem');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const made = new Set();
  let copied = 0;
  for (let round = 0; copied < count; round++) {
    for (const pkg of packages) {
      const target = join(root, 'vendor', round === 0 ? pkg.vendor : `${pkg.vendor}-${round}`, pkg.name);
      for (const file of pkg.files) {
        if (copied >= count) break;
        const to = join(target, file);
        const parent = dirname(to);
        if (!made.has(parent)) {
          mkdirSync(parent, { recursive: true });
          made.add(parent);
        }
        copyFileSync(join(pkg.base, file), to);
        copied++;
      }
    }
  }
  return copied;
}

/** The tree, built once and kept (a marker file records a complete build). */
export function cachedPhpTree(cacheDir, count) {
  const root = join(cacheDir, `php-${count}`);
  const marker = join(cacheDir, `php-${count}.done`);
  if (existsSync(marker) && existsSync(root)) return root;
  const started = Date.now();
  process.stderr.write(`building a ${count.toLocaleString('en-US')}-file PHP tree in ${root} (once) ... `);
  const made = buildPhpTree(root, count);
  writeFileSync(marker, String(made));
  process.stderr.write(`${made.toLocaleString('en-US')} files in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return root;
}
