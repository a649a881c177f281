// Builds a synthetic application tree for the benchmark: Magento-like fan-out (vendor holds most
// of it, then pub/static, generated, var), 5-20 files per directory, depth <= 10. It looks like a
// deployment done right: code 0644/0755 as a deploy under umask 022 leaves it, and the trees
// Magento writes at run time 2775/0664 and owned by the web user (PHP-FPM under umask 002 in
// setgid directories), then about 1% odd modes sprinkled over it. Deterministic for a size.
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** [directory, share of the entries, written at run time by the web user] */
const TOP = [
  ['vendor', 0.62, false],
  ['pub/static', 0.16, true],
  ['generated/code', 0.1, true],
  ['var/cache', 0.06, true],
  ['app/code', 0.04, false],
  ['lib', 0.02, false],
];
const ODD_FILE = [0o666, 0o600, 0o4755, 0o664, 0o444, 0o660];
const ODD_DIR = [0o777, 0o700, 0o2775, 0o750, 0o1777];

/**
 * Create a tree of about `entries` entries under `root`; returns the exact count. `web`: the uid
 * and gid of the web user, to own the run-time trees (needs root; otherwise they stay the caller's).
 */
export function buildBenchTree(root, entries, web) {
  const next = random(entries);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const dirs = new Set(['']);
  const ensure = (rel) => {
    const parts = rel.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const sub = parts.slice(0, i).join('/');
      if (!dirs.has(sub)) {
        mkdirSync(join(root, sub));
        dirs.add(sub);
      }
    }
  };
  let files = 0;
  for (const file of ['bin/magento', 'app/etc/env.php', 'app/etc/config.php', 'composer.json', 'index.php']) {
    if (file.includes('/')) ensure(file.slice(0, file.lastIndexOf('/')));
    writeFileSync(join(root, file), '');
    files++;
  }
  let below = 0;
  for (const [top, share, writable] of TOP) {
    ensure(top);
    const owner = writable && web ? web : undefined;
    if (writable) setup(join(root, top), 0o2775, owner);
    below += fill(join(root, top), Math.round(entries * share), 1, next, writable, owner);
  }
  return dirs.size + files + below;
}

function setup(path, mode, owner) {
  if (owner) chownSync(path, owner.uid, owner.gid);
  chmodSync(path, mode);
}

function fill(dir, budget, depth, next, writable, owner) {
  let made = 0;
  const queue = [[dir, depth]];
  while (made < budget && queue.length > 0) {
    const [current, level] = queue.shift();
    const files = 5 + Math.floor(next() * 16);
    for (let i = 0; i < files && made < budget; i++) {
      const path = join(current, `f${i}.php`);
      closeSync(openSync(path, 'w'));
      const odd = next() < 0.01;
      if (odd || writable) setup(path, odd ? ODD_FILE[Math.floor(next() * ODD_FILE.length)] : 0o664, owner);
      made++;
    }
    const dirs = level >= 10 ? 0 : 2 + Math.floor(next() * 5);
    for (let i = 0; i < dirs && made < budget; i++) {
      const path = join(current, `d${i}`);
      mkdirSync(path);
      const odd = next() < 0.01;
      if (odd || writable) setup(path, odd ? ODD_DIR[Math.floor(next() * ODD_DIR.length)] : 0o2775, owner);
      made++;
      queue.push([path, level + 1]);
    }
  }
  return made;
}

/** The tree, built once and kept (a marker file records a complete build). */
export function cachedBenchTree(cacheDir, entries, web) {
  const root = join(cacheDir, `tree-${entries}`);
  const marker = join(cacheDir, `tree-${entries}.done`);
  if (existsSync(marker) && existsSync(root)) return root;
  const started = Date.now();
  process.stderr.write(`building a ${entries.toLocaleString('en-US')}-entry tree in ${root} (once) ... `);
  const count = buildBenchTree(root, entries, web);
  writeFileSync(marker, String(count));
  process.stderr.write(`${count.toLocaleString('en-US')} entries in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return root;
}
