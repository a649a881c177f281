// Runs the built CLI (the bundle the executable runs) in this process and reports, on exit, the peak resident memory of the
// whole process (every thread: getrusage(RUSAGE_SELF)) on file descriptor 3.
import { writeSync } from 'node:fs';
import { main } from '../../dist/bundle/cli.js';

process.on('exit', () => writeSync(3, `${process.resourceUsage().maxRSS}\n`));
await main(['node', 'permcheck', ...process.argv.slice(2)]);
