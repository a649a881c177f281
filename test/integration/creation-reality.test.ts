import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliJson } from '../helpers/cli.js';
import { HARNESS_PACKAGES, phpAvailable, runHarness, type Harness, type HarnessRun } from '../helpers/php-harness.js';
import { makeTempDir } from '../helpers/tmp.js';
import { buildTree, type EntrySpec } from '../helpers/tree.js';
import { CRON, DEPLOY, hasSetpriv, isRoot, runAs, WEB, writeUserFiles, type TestUser } from '../helpers/users.js';

/**
 * The web user really creates files through the frameworks' own code (WordPress's upload path,
 * Smarty's compile, Laravel's replace, Symfony's dumpFile) under umasks 0002, 0022 and 0027. Then
 * what permcheck predicted before (explain --for web --in DIR, cross-context) and what it says after
 * (access-denied, traverse-denied) must agree with what the deploy and cron users can really do.
 */

const PROBE = fileURLToPath(new URL('../helpers/creation-probe.mjs', import.meta.url));
const WWW = 21100;
const UMASKS = [0o002, 0o022, 0o027];
const OTHERS: { role: 'cli' | 'cron'; user: TestUser }[] = [
  { role: 'cli', user: DEPLOY },
  { role: 'cron', user: CRON },
];
const oct = (mode: number) => mode.toString(8).padStart(4, '0');

interface Case {
  harness: Harness;
  /** The tree before the run; `dir` is where the web user creates. */
  tree: EntrySpec[];
  dir: string;
  config: Record<string, unknown>;
  args: (root: string) => string[];
  /** What the run made, relative to the root: the file to use, and a directory if the code made one. */
  made: (run: HarnessRun) => { file: string; dir?: string };
  /** Files replaced by rename there (the preset or config says so). */
  replace: boolean;
  /** Entries that were there before and that the run rewrote, to check verdicts on too. */
  rewritten?: string[];
  /** The preset says the code makes no directories there: nothing lost in one counts. */
  directories?: false;
}

const shared = (path: string): EntrySpec => ({ path, type: 'dir', mode: 0o2775, uid: DEPLOY.uid, gid: WWW });
const code = (path: string, content = '<?php\n'): EntrySpec => ({ path, type: 'file', mode: 0o644, uid: DEPLOY.uid, gid: WWW, content });

const CASES: Record<string, Case> = {
  'WordPress upload (preset wordpress: inherit, moved in)': {
    harness: 'wordpress-upload',
    tree: [
      code('wp-config.php'),
      { path: 'wp-content', type: 'dir', mode: 0o755, uid: DEPLOY.uid, gid: WWW },
      shared('wp-content/uploads'),
    ],
    dir: 'wp-content/uploads',
    config: {},
    args: (root) => [join(root, 'wp-content/uploads'), '2026/05', 'shoe.jpg'],
    made: () => ({ file: 'wp-content/uploads/2026/05/shoe.jpg', dir: 'wp-content/uploads/2026' }),
    replace: false,
  },
  'Smarty 3 compile (config: chmod 0644 after umask(0), mkdir 0771, replace)': {
    harness: 'smarty-compile',
    tree: [shared('var'), shared('var/smarty'), shared('var/smarty/templates'), shared('var/smarty/compiled')],
    dir: 'var/smarty/compiled',
    config: {
      paths: [
        { match: '**', access: { web: 'read', cli: 'write' } },
        { match: 'var/**', access: { web: 'write', cli: 'write', cron: 'write' } },
        // What the hardcoded-mode rule finds in Smarty's writefile, described for the compile dir.
        {
          match: 'var/smarty/compiled/**',
          create: { file: { chmod: '0644' }, dir: { request: '0771', umask: '0000' } },
          update: 'replace',
        },
      ],
    },
    args: (root) => [join(root, 'var/smarty')],
    made: (run) => {
      const file = run.entries.find((e) => e.type === 'file')!.path;
      return { file: `var/smarty/compiled/${file}`, dir: `var/smarty/compiled/${file.split('/')[0]}` };
    },
    replace: true,
  },
  'Laravel Filesystem::replace (preset laravel: bootstrap/cache by replace, no directories made there)': {
    harness: 'illuminate-replace',
    tree: [
      code('artisan'),
      { path: 'bootstrap', type: 'dir', mode: 0o755, uid: DEPLOY.uid, gid: WWW },
      code('bootstrap/app.php'),
      shared('bootstrap/cache'),
      { path: 'bootstrap/cache/packages.php', type: 'file', mode: 0o444, uid: DEPLOY.uid, gid: WWW, content: '<?php return [];\n' },
    ],
    dir: 'bootstrap/cache',
    config: {},
    args: (root) => [join(root, 'bootstrap/cache/packages.php')],
    made: () => ({ file: 'bootstrap/cache/packages.php' }),
    replace: true,
    directories: false,
  },
  'Symfony Filesystem::dumpFile (preset symfony: var/cache by replace)': {
    harness: 'symfony-dumpfile',
    tree: [
      { path: 'bin', type: 'dir', mode: 0o755, uid: DEPLOY.uid, gid: WWW },
      code('bin/console'),
      code('symfony.lock', '{}'),
      shared('var'),
      shared('var/cache'),
      { path: 'var/cache/old.php', type: 'file', mode: 0o444, uid: DEPLOY.uid, gid: WWW, content: 'x' },
    ],
    dir: 'var/cache',
    config: {},
    args: (root) => [join(root, 'var/cache/new.php')],
    made: () => ({ file: 'var/cache/new.php' }),
    replace: true,
    rewritten: ['var/cache/old.php'],
  },
};

function missing(harness: Harness): string | undefined {
  if (!phpAvailable()) return 'php is not installed (Debian package: php8.2-cli)';
  if (!isRoot || !hasSetpriv()) return 'needs root and setpriv to run PHP as the web user';
  const need = HARNESS_PACKAGES[harness];
  return existsSync(need.file) ? undefined : `Debian package ${need.package} is not installed`;
}

interface Finding {
  rule: string;
  path: string;
  role?: string;
  entries: number;
  creator?: string;
  lost?: string[];
}

/** Is `path` under a finding of one of `rules` for `role`: at it, or below an aggregate or a blocking directory? */
function covered(findings: Finding[], rules: string[], role: string, path: string): boolean {
  return findings.some(
    (f) =>
      rules.includes(f.rule) &&
      f.role === role &&
      (f.path === path || ((f.entries > 1 || f.rule === 'traverse-denied') && path.startsWith(`${f.path === '.' ? '' : f.path}/`))),
  );
}

describe('creation models agree with what the frameworks really do', () => {
  const tmp = makeTempDir('permcheck-creation-');
  afterAll(() => tmp.cleanup());
  let users: { passwd: string; group: string };
  let probe: string;
  beforeAll(() => {
    users = writeUserFiles(tmp.path);
    probe = join(tmp.path, 'creation-probe.mjs');
    copyFileSync(PROBE, probe);
  });

  for (const [name, c] of Object.entries(CASES)) {
    for (const umask of UMASKS) {
      const reason = missing(c.harness);
      const title = `${name}, web under umask ${oct(umask)}${reason ? ` (skipped: ${reason})` : ''}`;
      (reason ? it.skip : it)(title, () => {
        const root = join(tmp.path, `${c.harness}-${oct(umask)}`);
        buildTree(root, [{ path: '.', type: 'dir', mode: 0o755, uid: DEPLOY.uid, gid: WWW }, ...c.tree]);
        const roles = {
          web: { user: WEB.name, umask: oct(umask) },
          cli: { user: DEPLOY.name, umask: '0022' },
          cron: { user: CRON.name, umask: '0022' },
        };
        // Inside the root, where explain --in finds it too.
        writeFileSync(join(root, 'permcheck.config.json'), JSON.stringify({ roles, ...c.config }));
        // The root belongs to the deploy user: its config counts only when that user is trusted.
        const flags = ['--passwd', users.passwd, '--group', users.group, '--trust', String(DEPLOY.uid)];
        const audit = () =>
          runCliJson(['audit', root, '--format', 'json', '--fail-on', 'never', '--jobs', '1', '--only', `${c.dir}/**`, ...flags]).json
            .findings as Finding[];

        // Before: what permcheck predicts web creates there.
        const explained = runCliJson(['explain', oct(umask), '--for', 'web', '--in', join(root, c.dir), '--json', ...flags]).json;

        // The real code, as the web user, under the umask.
        const run = runHarness(c.harness, c.args(root), { uid: WEB.uid, gid: WEB.gid, groups: [WWW], umask });
        const made = c.made(run);
        let dir = made.dir;
        if (!dir) {
          // The code makes no directory here: one as PHP's mkdir() would, for the directory half of the prediction.
          dir = `${c.dir}/made-by-web`;
          runAs(WEB, 'sh', ['-c', `umask ${oct(umask)} && mkdir '${join(root, dir)}'`]);
        }
        const stat = (rel: string) =>
          execFileSync('stat', ['-c', '%a %u %g', join(root, rel)], { encoding: 'utf8' })
            .trim()
            .split(' ');
        const [fileMode, fileUid, fileGid] = stat(made.file);
        const [dirMode, , dirGid] = stat(dir);

        // The modes and groups permcheck predicted are the ones the code made.
        expect({ file: explained.file.mode, dir: explained.directory.mode }).toEqual({
          file: fileMode!.padStart(4, '0'),
          dir: dirMode!.padStart(4, '0'),
        });
        expect(Number(fileUid)).toBe(WEB.uid);
        expect({ file: explained.file.group, dir: explained.directory.group }).toEqual({
          file: Number(fileGid) === WWW ? 'www' : 'web',
          dir: Number(dirGid) === WWW ? 'www' : 'web',
        });

        // After: who loses what there (cross-context speaks of the directory, before and after alike:
        // one audit saves a run), and the verdicts on what was made and rewritten, before anyone touches it.
        const after = audit();
        // Each role uses its own copy: writing and deleting change the file.
        for (const { role } of OTHERS) execFileSync('cp', ['-a', join(root, made.file), join(root, `${made.file}.${role}`)]);

        for (const { role, user } of OTHERS) {
          const real = JSON.parse(
            runAs(user, process.execPath, [probe], {
              input: JSON.stringify({ file: join(root, `${made.file}.${role}`), dir: join(root, dir), replace: c.replace }),
            }),
          );
          const dirs = c.directories !== false;
          const lost = [
            ...(!real.fileRead || (dirs && !real.dirList) ? ['read'] : []),
            ...(!real.fileWrite ? ['write'] : []),
            ...(dirs && !real.dirCreate ? ['create-inside'] : []),
            ...(!real.fileDelete ? ['delete'] : []),
          ];
          const predicted = after.find((f) => f.rule === 'cross-context' && f.creator === 'web' && f.role === role && f.path === c.dir);
          expect({ role, lost: predicted?.lost ?? [] }).toEqual({ role, lost });
          const story = explained.others[role];
          const words: Record<string, string> = {
            read: 'read them',
            write: c.replace ? 'replace the files' : 'write the files',
            'create-inside': 'create entries in the directories',
            delete: 'delete the files',
          };
          expect({ role, cannot: story.cannot }).toEqual({ role, cannot: lost.map((op) => words[op]) });

          // access-denied (or traverse-denied above it) exactly where the role really lacks what its write level needs.
          const denied = (rel: string) => covered(after, ['access-denied', 'traverse-denied'], role, rel);
          // A file replaced by rename needs only r itself: writing it is creating in its directory.
          expect({ role, file: made.file, denied: denied(made.file) }).toEqual({
            role,
            file: made.file,
            denied: !real.fileRead || (!c.replace && !real.fileWrite),
          });
          if (c.replace && !real.fileWrite)
            expect({ role, dir: posix.dirname(made.file), denied: denied(posix.dirname(made.file)) }).toEqual({
              role,
              dir: posix.dirname(made.file),
              denied: true,
            });
          expect({ role, dir, denied: denied(dir) }).toEqual({ role, dir, denied: !real.dirList || !real.dirCreate });
        }

        for (const rel of c.rewritten ?? []) {
          for (const { role, user } of OTHERS) {
            const copy = `${rel}.${role}`;
            execFileSync('cp', ['-a', join(root, rel), join(root, copy)]);
            const real = JSON.parse(
              runAs(user, process.execPath, [probe], { input: JSON.stringify({ file: join(root, copy), replace: c.replace }) }),
            );
            const denied = covered(after, ['access-denied', 'traverse-denied'], role, rel);
            expect({ role, rel, denied }).toEqual({ role, rel, denied: !real.fileRead || (!c.replace && !real.fileWrite) });
            if (c.replace && !real.fileWrite)
              expect({ role, rel, dirDenied: covered(after, ['access-denied', 'traverse-denied'], role, posix.dirname(rel)) }).toEqual({
                role,
                rel,
                dirDenied: true,
              });
          }
        }
        expect(posix.isAbsolute(root)).toBe(true);
      });
    }
  }
});
