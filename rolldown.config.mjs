// The bundle the executable runs (npm run build, after tsc): dist/ as one module per command and per
// worker plus the chunks they share, instead of ~180 modules and zod's ~100. Node 20 loads each ES
// module separately (resolve, read, compile, link): measured, that was ~0.25 s of every audit's start
// and of each worker thread's. The commands stay lazy: each dynamic import is its own chunk.
//
// CommonJS, not ES modules: with a CommonJS executable (bin/package.json) Node 20 never starts its ES
// module loader, and a require() is cheaper than an import. Measured with hyperfine: `explain 027`
// ~168 -> ~157 ms, `--version` ~158 -> ~146 ms (bare `node -e 0`: ~120 ms).
import { defineConfig } from 'rolldown';

export default defineConfig({
  input: {
    cli: 'dist/cli.js',
    // Named as in dist/, so src/worker-entries.ts finds it from either layout.
    'audit/worker': 'dist/audit/worker.js',
  },
  platform: 'node',
  // jsonc-parser's "main" is a UMD build that requires its parts at run time; its "module" is ES.
  resolve: { mainFields: ['module', 'main'] },
  // Packages with native code, and the lazily required CommonJS ones, are loaded at run time from
  // node_modules (createRequire in the source): not bundled.
  external: [/^node:/, 'koffi', '@napi-rs/xattr', 'fs-native-extensions', 'php-parser', 'fast-glob'],
  output: {
    dir: 'dist/bundle',
    format: 'cjs',
    entryFileNames: '[name].js',
    chunkFileNames: '[name]-[hash].js',
    sourcemap: true,
    // The chunks' names change with their content: no stale one stays behind.
    cleanDir: true,
  },
  plugins: [
    {
      // The package is "type": "module": without this, Node would read the bundle's .js files (the
      // worker thread's entry included) as ES modules.
      name: 'commonjs-package',
      generateBundle() {
        this.emitFile({ type: 'asset', fileName: 'package.json', source: '{ "type": "commonjs" }\n' });
      },
    },
  ],
});
