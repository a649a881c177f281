// Runs the built CLI (the bundle the executable runs) in this process, started as bin/permcheck.js
// starts it (CommonJS: no ES module loader), and reports, on exit, the peak resident memory of the
// whole process (every thread: getrusage(RUSAGE_SELF)) on file descriptor 3.
const { writeSync } = require('node:fs');
const { main } = require('../../dist/bundle/cli.js');

process.on('exit', () => writeSync(3, `${process.resourceUsage().maxRSS}\n`));
main(['node', 'permcheck', ...process.argv.slice(2)]);
