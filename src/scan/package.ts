import type { ComposerPackage } from './types.js';

/** Names Composer installed, from vendor/composer/installed.json: name -> dev dependency. */
export type InstalledPackages = Map<string, boolean>;

/**
 * Composer 2 writes { packages: [...], "dev-package-names": [...] }; Composer 1 a bare array
 * (without the dev list). Anything else: no packages known.
 */
export function parseInstalled(json: string): InstalledPackages {
  const installed: InstalledPackages = new Map();
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return installed;
  }
  const packages = Array.isArray(data) ? data : (data as { packages?: unknown })?.packages;
  const dev = new Set(
    Array.isArray((data as { 'dev-package-names'?: unknown })?.['dev-package-names'])
      ? (data as { 'dev-package-names': unknown[] })['dev-package-names']
      : [],
  );
  if (!Array.isArray(packages)) return installed;
  for (const p of packages) {
    const name = (p as { name?: unknown })?.name;
    if (typeof name === 'string') installed.set(name.toLowerCase(), dev.has(name));
  }
  return installed;
}

/**
 * The package of a file under vendor/<vendor>/<name>/ (the first vendor/ from the root: a
 * plugin's own vendor/ belongs to the plugin's dependencies too); undefined for the application's
 * own code. `dev` comes from installed.json when the package is listed there.
 */
export function composerPackage(rel: string, installed: InstalledPackages | undefined): ComposerPackage | undefined {
  const parts = rel.split('/');
  const at = parts.indexOf('vendor');
  if (at < 0 || parts.length < at + 4) return undefined;
  const name = `${parts[at + 1]}/${parts[at + 2]}`.toLowerCase();
  // vendor/composer/ holds Composer's autoloader, not a package.
  if (parts[at + 1] === 'composer' && !installed?.has(name)) return undefined;
  return { name, dev: at === 0 ? installed?.get(name) : undefined };
}
