import { createRequire } from 'node:module';

/** The package's version, from its package.json (shipped beside dist/). */
export const VERSION: string = readVersion();

export const HOMEPAGE = 'https://github.com/permcheck/permcheck';

/** package.json is above this module: one level from dist/ (tsc's modules), two from dist/bundle/. */
function readVersion(): string {
  const require = createRequire(import.meta.url);
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const found = require(path) as { name?: string; version: string };
      if (found.name === 'permcheck') return found.version;
    } catch {
      // Not at this level: the next one up.
    }
  }
  throw new Error(`no package.json of permcheck above ${import.meta.url}`);
}
