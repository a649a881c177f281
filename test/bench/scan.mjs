// One scan of a tree for the benchmark, in its own process like find and permcheck:
// node test/bench/scan.mjs ROOT [JOBS] prints { listed, parsed, bytes, sites, notes } as JSON.
import { scanPhpModes } from '../../dist/scan/index.js';

const [root, jobs] = process.argv.slice(2);
const result = await scanPhpModes(root, jobs ? { jobs: Number(jobs) } : {});
process.stdout.write(
  JSON.stringify({
    listed: result.counts.listed,
    parsed: result.counts.parsed,
    bytes: result.counts.bytes,
    sites: result.sites.length,
    notes: result.notes.length,
  }),
);
