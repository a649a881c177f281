// Reads a tar archive into permcheck's archive tree and walks it with a visitor that does
// nothing: the cost of the reader and the walk driver alone. Reports, on exit, the peak resident
// memory of the process on file descriptor 3, and the entries walked on stdout.
import { writeSync } from 'node:fs';
import { readArchive, walkArchiveTree } from '../../dist/archive/index.js';

process.on('exit', () => writeSync(3, `${process.resourceUsage().maxRSS}\n`));
const tree = await readArchive(process.argv[2]);
const entries = walkArchiveTree(tree, '.', { enter: () => true, entry: () => {}, leave: () => {}, skip: () => false, error: () => {} });
process.stdout.write(`${entries}\n`);
