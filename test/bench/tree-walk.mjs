// The floor under the audit's walk, for npm run bench: the same tree walked on two worker threads,
// split as the audit splits it (the subtrees two levels down), with nothing judged or reported.
//   walker: permcheck's own Walker (every check it makes) with a visitor that does nothing;
//   least:  the least a Node walk can do here: getdents64, then statx and getxattrat per entry through
//           koffi, no checks, nothing kept (unsafe on a hostile tree; a measuring stick only).
// Prints the number of entries walked; the peak memory of the process goes to descriptor 3 where the
// bench opened one (as rss.cjs reports the audit's).
import { closeSync, constants, openSync, readdirSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const THREADS = 2;

if (isMainThread) {
  const [mode, root] = process.argv.slice(2);
  if (mode !== 'walker' && mode !== 'least') throw new Error('usage: tree-walk.mjs walker|least ROOT');
  // The top two levels here, the subtrees below them on the threads, dealt out in turn.
  let entries = 1;
  const jobs = [];
  for (const top of readdirSync(root, { withFileTypes: true })) {
    entries++;
    if (!top.isDirectory()) continue;
    for (const child of readdirSync(`${root}/${top.name}`, { withFileTypes: true })) {
      if (child.isDirectory()) jobs.push(`${root}/${top.name}/${child.name}`);
      else entries++;
    }
  }
  const parts = Array.from({ length: THREADS }, (_, i) => jobs.filter((_, j) => j % THREADS === i));
  const counts = await Promise.all(
    parts.map(
      (part) =>
        new Promise((resolve, reject) => {
          const worker = new Worker(new URL(import.meta.url), { workerData: { mode, roots: part } });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
  process.stdout.write(`${counts.reduce((a, b) => a + b, entries)}\n`);
  try {
    writeSync(3, `${process.resourceUsage().maxRSS}\n`);
  } catch {
    // Run by hand: no descriptor 3.
  }
} else {
  const { mode, roots } = workerData;
  parentPort.postMessage(mode === 'walker' ? await walkWithWalker(roots) : leastWalk(roots));
}

/** Entries under `roots` (each root counted), through permcheck's Walker. */
async function walkWithWalker(roots) {
  const { Walker } = await import('../../dist/walk/walker.js');
  const { openWalkStart } = await import('../../dist/walk/lookup.js');
  let entries = 0;
  const visitor = {
    enter: () => ({}),
    entry: () => {},
    leave: () => {},
    skip: () => false,
    error: () => {},
  };
  for (const root of roots) {
    const walker = new Walker(openWalkStart(root, '/'), visitor);
    while (walker.step(65536));
    entries += walker.counters.entries;
  }
  return entries;
}

/** Entries under `roots` (each root counted), with three calls per entry and nothing else. */
function leastWalk(roots) {
  const koffi = createRequire(import.meta.url)('koffi');
  const libc = koffi.load('libc.so.6');
  const openat = libc.func('int openat(int, const char *, int, int)');
  const statx = libc.func('int statx(int, const char *, int, unsigned int, void *)');
  const getdents = libc.func('long getdents64(int, void *, size_t)');
  const close = libc.func('int close(int)');
  const getxattrat = libc.func('long syscall(long, int, const char *, unsigned int, const char *, void *, size_t)');
  const stat = Buffer.alloc(256);
  const value = koffi.alloc('uint8_t', 65536);
  const args = Buffer.alloc(16);
  args.writeBigUInt64LE(koffi.address(value), 0);
  args.writeUInt32LE(65536, 8);
  const O_DIRECTORY_NOFOLLOW = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW | 0o2000000;
  let entries = 0;
  const walk = (fd) => {
    const buffer = Buffer.allocUnsafe(65536);
    const directories = [];
    for (let got = getdents(fd, buffer, buffer.length); got > 0; got = getdents(fd, buffer, buffer.length)) {
      for (let at = 0; at < got;) {
        const name = buffer.toString('utf8', at + 19, buffer.indexOf(0, at + 19));
        const type = buffer[at + 18];
        at += buffer.readUInt16LE(at + 16);
        if (name === '.' || name === '..') continue;
        entries++;
        // d_type DT_DIR: opened below; anything else is described and its ACL read.
        if (type === 4) directories.push(name);
        else {
          statx(fd, name, 0x100, 0x11f, stat);
          getxattrat(464, fd, name, 0x100, 'system.posix_acl_access', args, args.length);
        }
      }
    }
    for (const name of directories) {
      const child = openat(fd, name, O_DIRECTORY_NOFOLLOW, 0);
      if (child >= 0) {
        walk(child);
        close(child);
      }
    }
  };
  for (const root of roots) {
    entries++;
    const fd = openSync(root, constants.O_RDONLY | constants.O_DIRECTORY);
    walk(fd);
    closeSync(fd);
  }
  return entries;
}
