import { posix } from 'node:path';
import { pick, random, type EntrySpec } from './tree.js';
import { CRON, DEPLOY, WEB } from './users.js';

const OWNERS = [0, DEPLOY.uid, WEB.uid, CRON.uid];
const GIDS = [0, 21001, 21002, 21003, 21100, 21200];
const DIR_MODES = [
  0o755, 0o750, 0o700, 0o770, 0o775, 0o777, 0o711, 0o730, 0o1777, 0o1770, 0o2770, 0o2750, 0o2775, 0o300, 0o000, 0o570, 0o705,
];
const FILE_MODES = [
  0o644, 0o640, 0o600, 0o660, 0o664, 0o666, 0o755, 0o750, 0o4755, 0o2755, 0o444, 0o044, 0o000, 0o200, 0o100, 0o604, 0o060,
];

/** A few hundred entries with owners, groups and modes drawn from what real trees hold, and worse. */
export function randomTree(seed: number, count: number): EntrySpec[] {
  const next = random(seed);
  const dirs = [''];
  const entries: EntrySpec[] = [];
  for (let i = 0; entries.length < count; i++) {
    const parent = pick(next, dirs);
    if (parent.split('/').length > 5) continue;
    const path = posix.join(parent, `e${i}`);
    const roll = next();
    const owner = { uid: pick(next, OWNERS), gid: pick(next, GIDS) };
    if (roll < 0.3) {
      const mode = next() < 0.8 ? pick(next, DIR_MODES) : Math.floor(next() * 0o4000);
      entries.push({ path, type: 'dir', mode, ...owner });
      dirs.push(path);
    } else if (roll < 0.9 || entries.length === 0) {
      const mode = next() < 0.8 ? pick(next, FILE_MODES) : Math.floor(next() * 0o10000);
      entries.push({ path, type: 'file', mode, ...owner });
    } else {
      // A relative link to an entry made earlier: access follows it, delete removes the link.
      const target = pick(
        next,
        entries.filter((e) => e.type !== 'symlink'),
      ).path;
      entries.push({ path, type: 'symlink', target: posix.relative(parent, target) || '.', ...owner });
    }
  }
  return entries;
}
