// Builds a synthetic application tree for the benchmark: Magento-like fan-out (vendor holds most
// of it, then pub/static, generated, var), 5-20 files per directory, depth <= 10. It looks like a
// deployment done right: code 0644/0755 as a deploy under umask 022 leaves it, and the trees
// Magento writes at run time 2775/0664 and owned by the web user (PHP-FPM under umask 002 in
// setgid directories), then about 1% odd modes sprinkled over it. Deterministic for a size.
// The ACL variant is the same tree (same shape, same modes) where a share of the entries also
// carries a Symfony-style ACL (see withAcl).
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setAttributeSync } from '@napi-rs/xattr';

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

// include/uapi/linux/posix_acl_xattr.h: u32 version 2, then (u16 tag, u16 perm, u32 id) entries, little endian.
const TAG = { userObj: 0x01, user: 0x02, groupObj: 0x04, group: 0x08, mask: 0x10, other: 0x20 };
const NO_ID = 0xffffffff;

/** An ACL xattr from [tag, perm, id] entries, written here rather than with permcheck's own encoder. */
function aclBytes(entries) {
  const bytes = Buffer.alloc(4 + entries.length * 8);
  bytes.writeUInt32LE(2, 0);
  entries.forEach(([tag, perm, id], i) => {
    bytes.writeUInt16LE(tag, 4 + i * 8);
    bytes.writeUInt16LE(perm, 6 + i * 8);
    bytes.writeUInt32LE(id, 8 + i * 8);
  });
  return bytes;
}

/**
 * What Symfony's recipe leaves (setfacl -m u:WEB:rwX -m u:DEPLOY:rwX, and -d on directories): named
 * entries for the web user and the deploy user, a named group, and the mask that lets them through;
 * owner, owning group and other keep the mode's bits. The kernel then shows the mask as the group
 * bits. Half of the directories also get the same entries as their default ACL.
 */
function withAcl(path, mode, isDir, acl, next) {
  const x = isDir || mode & 0o111 ? 1 : 0;
  const rwX = 6 | x;
  const rX = 4 | x;
  const named = [
    [TAG.user, rwX, acl.web],
    [TAG.user, rwX, acl.deploy],
    [TAG.group, rX, acl.group],
  ].sort((a, b) => a[0] - b[0] || a[2] - b[2]);
  const access = [
    [TAG.userObj, (mode >> 6) & 7, NO_ID],
    ...named.filter((e) => e[0] === TAG.user),
    [TAG.groupObj, (mode >> 3) & 7, NO_ID],
    ...named.filter((e) => e[0] === TAG.group),
    [TAG.mask, rwX | ((mode >> 3) & 7), NO_ID],
    [TAG.other, mode & 7, NO_ID],
  ];
  setAttributeSync(path, 'system.posix_acl_access', aclBytes(access));
  if (isDir && next() < 0.5) setAttributeSync(path, 'system.posix_acl_default', aclBytes(access));
}

/**
 * Create a tree of about `entries` entries under `root`; returns the exact count (and, with `acl`,
 * how many entries carry an ACL). `web`: the uid and gid of the web user, to own the run-time trees
 * (needs root; otherwise they stay the caller's). `acl`: { share, web, deploy, group } gives that
 * share of the entries (files and directories alike) named entries for those ids; its own random
 * sequence leaves the shape and modes of the tree as without it.
 */
export function buildBenchTree(root, entries, web, acl) {
  const next = random(entries);
  const marks = acl ? { next: random(entries ^ 0xac1), count: 0, ...acl } : undefined;
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
    below += fill(join(root, top), Math.round(entries * share), 1, next, writable, owner, marks);
  }
  return { entries: dirs.size + files + below, acls: marks?.count ?? 0 };
}

function setup(path, mode, owner) {
  if (owner) chownSync(path, owner.uid, owner.gid);
  chmodSync(path, mode);
}

/** Give the entry just made an ACL, for the share of entries `marks` asks (the tree without `marks`: none). */
function mark(path, mode, isDir, marks) {
  if (!marks || marks.next() >= marks.share) return;
  withAcl(path, mode, isDir, marks, marks.next);
  marks.count++;
}

function fill(dir, budget, depth, next, writable, owner, marks) {
  let made = 0;
  const queue = [[dir, depth]];
  while (made < budget && queue.length > 0) {
    const [current, level] = queue.shift();
    const files = 5 + Math.floor(next() * 16);
    for (let i = 0; i < files && made < budget; i++) {
      const path = join(current, `f${i}.php`);
      closeSync(openSync(path, 'w'));
      const odd = next() < 0.01;
      const mode = odd ? ODD_FILE[Math.floor(next() * ODD_FILE.length)] : writable ? 0o664 : 0o644;
      if (odd || writable) setup(path, mode, owner);
      mark(path, mode, false, marks);
      made++;
    }
    const dirs = level >= 10 ? 0 : 2 + Math.floor(next() * 5);
    for (let i = 0; i < dirs && made < budget; i++) {
      const path = join(current, `d${i}`);
      mkdirSync(path);
      const odd = next() < 0.01;
      const mode = odd ? ODD_DIR[Math.floor(next() * ODD_DIR.length)] : writable ? 0o2775 : 0o755;
      if (odd || writable) setup(path, mode, owner);
      mark(path, mode, true, marks);
      made++;
      queue.push([path, level + 1]);
    }
  }
  return made;
}

/**
 * The tree, built once and kept (a marker file records a complete build and what it holds); with
 * `acl` (see buildBenchTree), a tree of its own beside the plain one. Returns its root and the
 * number of entries that carry an ACL.
 */
export function cachedBenchTree(cacheDir, entries, web, acl) {
  const name = acl ? `tree-acl-${entries}` : `tree-${entries}`;
  const root = join(cacheDir, name);
  const marker = join(cacheDir, `${name}.done`);
  if (existsSync(marker) && existsSync(root)) {
    const [, acls] = readFileSync(marker, 'utf8').split(' ');
    return { root, acls: Number(acls ?? 0) };
  }
  const started = Date.now();
  process.stderr.write(`building a ${entries.toLocaleString('en-US')}-entry tree in ${root} (once) ... `);
  const built = buildBenchTree(root, entries, web, acl);
  writeFileSync(marker, `${built.entries} ${built.acls}`);
  const withAcls = acl ? `, ${built.acls.toLocaleString('en-US')} with an ACL` : '';
  process.stderr.write(`${built.entries.toLocaleString('en-US')} entries${withAcls} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return { root, acls: built.acls };
}
