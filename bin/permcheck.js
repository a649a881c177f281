#!/usr/bin/env node
// The executable is a thin shim: everything lives in the compiled CLI (npm run build).
import { main } from '../dist/cli.js';

main(process.argv);
