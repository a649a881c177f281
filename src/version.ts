import { createRequire } from 'node:module';

/** The package's version, from its package.json (shipped beside dist/). */
export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

export const HOMEPAGE = 'https://github.com/permcheck/permcheck';
