#!/usr/bin/env node
// The executable is a thin shim: everything lives in the bundled CLI (npm run build). CommonJS
// (bin/package.json), like the bundle: a CommonJS start never loads Node's ES module loader.
require('../dist/bundle/cli.js').main(process.argv);
