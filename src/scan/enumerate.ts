import { createRequire } from 'node:module';
import type FastGlob from 'fast-glob';

/**
 * The *.php files under the root, relative to it, in chunks as fast-glob finds them: dot files
 * included, symlinks never followed, `ignore` globs relative to the root. fast-glob's stream
 * reads directories on libuv's threads, so the scan of the first chunks overlaps the listing.
 */
export async function* phpFileChunks(root: string, ignore: string[], size: number): AsyncGenerator<string[]> {
  let chunk: string[] = [];
  // Loaded here: only the scan without GNU grep enumerates with fast-glob.
  const fg = createRequire(import.meta.url)('fast-glob') as typeof FastGlob;
  const stream = fg.stream('**/*.php', { cwd: root, ignore, dot: true, onlyFiles: true, followSymbolicLinks: false, suppressErrors: true });
  for await (const entry of stream) {
    chunk.push(String(entry));
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}
