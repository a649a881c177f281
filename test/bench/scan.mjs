// One scan of a tree for the benchmark, in its own process like find and permcheck:
// node test/bench/scan.mjs ROOT [auto|grep|js] prints { listed, parsed, bytes, sites, notes, prefilter } as JSON.
import { scanPhpModes } from '../../dist/scan/index.js';

const [root, prefilter = 'auto'] = process.argv.slice(2);
const result = await scanPhpModes(root, { prefilter });
process.stdout.write(
  JSON.stringify({
    listed: result.counts.listed,
    parsed: result.counts.parsed,
    bytes: result.counts.bytes,
    sites: result.sites.length,
    notes: result.notes.length,
    prefilter: result.prefilter,
  }),
);
