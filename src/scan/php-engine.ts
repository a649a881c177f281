import { createRequire } from 'node:module';
import type { Engine } from 'php-parser';

/**
 * A php-parser engine built on its first use, one per thread and purpose (building one costs more
 * than parsing a small file). php-parser itself loads then too, a tenth of a second that an audit
 * which parses nothing (no scan candidate, no secret-marked PHP file) never pays.
 */
export function lazyPhpEngine(options: ConstructorParameters<typeof Engine>[0]): () => Engine {
  let engine: Engine | undefined;
  return () => (engine ??= new (createRequire(import.meta.url)('php-parser') as typeof import('php-parser')).Engine(options));
}
