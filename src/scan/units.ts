import { readdirSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import fg from 'fast-glob';

/**
 * A share of the tree that one thread enumerates and scans: a fast-glob pattern relative to the
 * root. Splitting at vendor/<vendor>/<name> lets threads enumerate as well as read in parallel.
 */
export type Unit = { pattern: string; deep?: number };

function directories(path: string): Dirent[] {
  try {
    // Dirent types come from readdir: a symlink is never taken for a directory.
    return readdirSync(path, { withFileTypes: true }).filter((d) => d.isDirectory());
  } catch {
    // Unlistable: fast-glob meets it again in the parent's unit and the scan says nothing more.
    return [];
  }
}

export function planUnits(root: string): Unit[] {
  const units: Unit[] = [{ pattern: '*.php', deep: 1 }];
  for (const top of directories(root)) {
    const name = fg.escapePath(top.name);
    if (top.name !== 'vendor') {
      units.push({ pattern: `${name}/**/*.php` });
      continue;
    }
    units.push({ pattern: 'vendor/*.php', deep: 2 });
    for (const vendor of directories(join(root, 'vendor'))) {
      const v = fg.escapePath(vendor.name);
      units.push({ pattern: `vendor/${v}/*.php`, deep: 3 });
      for (const pkg of directories(join(root, 'vendor', vendor.name)))
        units.push({ pattern: `vendor/${v}/${fg.escapePath(pkg.name)}/**/*.php` });
    }
  }
  return units;
}

/** The *.php files of a unit, relative to the root: dot files included, symlinks never followed. */
export function listUnit(root: string, unit: Unit, ignore: string[]): string[] {
  return fg.sync(unit.pattern, {
    cwd: root,
    ignore,
    dot: true,
    onlyFiles: true,
    followSymbolicLinks: false,
    suppressErrors: true,
    ...(unit.deep ? { deep: unit.deep } : {}),
  });
}
