#!/usr/bin/env node
// The executable is a thin shim: everything lives in the bundled CLI (npm run build).
import { main } from '../dist/bundle/cli.js';

main(process.argv);
