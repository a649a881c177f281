import { execFileSync } from 'node:child_process';
import { lstatSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliJson } from '../helpers/cli.js';
import type { Finding } from '../../src/rules/contract.js';
import { makeTempDir } from '../helpers/tmp.js';
import { paste } from '../helpers/attacker.js';
import { buildTree, type EntrySpec } from '../helpers/tree.js';
import { DEPLOY, isRoot, writeUserFiles, roleFlags } from '../helpers/users.js';

const why = isRoot ? '' : ' (skipped: needs root to give the tree its owners)';
const WWW = 21100;

/** Every entry below `root` as `mode uid:gid`, by path relative to it. */
function modes(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (rel: string) => {
    const stats = lstatSync(join(root, rel));
    out.set(rel, `${(stats.mode & 0o7777).toString(8)} ${stats.uid}:${stats.gid}`);
    if (stats.isDirectory()) for (const name of readdirSync(join(root, rel)).sort()) visit(rel === '.' ? name : `${rel}/${name}`);
  };
  visit('.');
  return out;
}

const inside = (rel: string, dirs: readonly string[]) => dirs.some((dir) => rel === dir || rel.startsWith(`${dir}/`));

/** The subtrees a recursive command in a fix reaches (chmod -R, chown -R, chgrp -R, find), relative to the root. */
function recursiveTargets(fix: string): string[] {
  const targets: string[] = [];
  for (const match of fix.matchAll(
    /(?:(?:chmod|chown|chgrp) -R [^']*|find -P )'\.\/([^']*)'|(?:(?:chmod|chown|chgrp) -R [^']*|find -P )'\.'/g,
  ))
    targets.push(match[1] ?? '.');
  return targets;
}

/**
 * A code tree owned by deploy (trusted, so fixes are printed as commands), where the policy keeps
 * others out of var/ and everything there is world-readable: one recursive `chmod -R o-r var` would
 * do, but the user keeps some of var/ out of the audit. (Not a fix that gives the web group write:
 * commands inside a directory the plan opens to someone untrusted are `permcheck fix` lines.) The ignored parts sit where the parallel walk's
 * planner lists them (var/keep) and where a worker walks them (var/cache/a/b is at the planner's
 * depth limit, so a job; its keep/ is skipped by the worker's walker).
 */
function narrowTree(): EntrySpec[] {
  const own = { uid: DEPLOY.uid, gid: WWW };
  const dir = (path: string, mode = 0o755): EntrySpec => ({ path, type: 'dir', ...own, mode });
  const file = (path: string, mode = 0o644): EntrySpec => ({ path, type: 'file', ...own, mode, content: 'x\n' });
  return [
    dir('.'),
    dir('src'),
    file('src/index.php'),
    dir('var'),
    dir('var/log'),
    file('var/log/app.log'),
    file('var/log/cron.log'),
    dir('var/cache'),
    file('var/cache/c.php'),
    dir('var/cache/a'),
    file('var/cache/a/f.php'),
    dir('var/cache/a/b'),
    file('var/cache/a/b/g.php'),
    dir('var/cache/a/b/keep'),
    file('var/cache/a/b/keep/upload.jpg'),
    dir('var/keep'),
    file('var/keep/secret-upload.jpg'),
    dir('var/keep/2024'),
    file('var/keep/2024/photo.jpg'),
  ];
}

/** The same need across forty subdirectories of var/: the parallel walk hands them to workers. */
function wideTree(): EntrySpec[] {
  const entries = narrowTree();
  for (let i = 0; i < 40; i++) {
    const d = `var/d${String(i).padStart(2, '0')}`;
    entries.push({ path: d, type: 'dir', uid: DEPLOY.uid, gid: WWW, mode: 0o755 });
    entries.push({ path: `${d}/f.txt`, type: 'file', uid: DEPLOY.uid, gid: WWW, mode: 0o644, content: 'x\n' });
  }
  entries.push({ path: 'var/d05/keep', type: 'dir', uid: DEPLOY.uid, gid: WWW, mode: 0o755 });
  entries.push({ path: 'var/d05/keep/k.txt', type: 'file', uid: DEPLOY.uid, gid: WWW, mode: 0o644, content: 'x\n' });
  return entries;
}

const IGNORED = ['var/keep', 'var/cache/a/b/keep', 'var/d05/keep'];
/** Each apart too: either one alone keeps var/ from folding, so each walk path must see its own. */
const PLANNER_LEVEL = ['var/keep'];
const WORKER_LEVEL = ['var/cache/a/b/keep'];

describe.skipIf(why !== '')(`a fix never reaches what --ignore leaves out${why}`, { timeout: 120_000 }, () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let users: string[];
  let count = 0;

  beforeAll(() => {
    tmp = makeTempDir('permcheck-fix-ignored-');
    const files = writeUserFiles(tmp.path);
    users = roleFlags(files);
  });
  afterAll(() => tmp?.cleanup());

  /** A fix pasted as root would; `permcheck fix` keeps its undo journal in the test's temp directory. */
  const pasted = (fix: string, cwd: string) => paste(fix, cwd, { TMPDIR: tmp.path }).status;

  /** No recursive command of `fix` reaches any of `ignored`. */
  function expectNoReach(fix: string, ignored: readonly string[]): void {
    for (const target of recursiveTargets(fix))
      expect(
        ignored.filter((rel) => inside(rel, [target])),
        fix,
      ).toEqual([]);
  }

  const journal = () => ['--journal', join(tmp.path, `undo-${++count}.jsonl`)];

  /** The tree and its config (root's, beside it: trusted, and not itself in the tree). */
  function tree(entries: EntrySpec[], ignore: string[] = []): string {
    const root = join(tmp.path, `t${++count}`);
    buildTree(root, entries);
    const paths = [
      { match: '**', access: { web: 'read', cli: 'write', others: 'read' } },
      { match: 'var/**', access: { web: 'read', cli: 'write', others: 'none' } },
    ];
    writeFileSync(`${root}.config.json`, JSON.stringify({ umask: '0002', paths, ...(ignore.length ? { ignore } : {}) }));
    return root;
  }
  const options = (root: string) => [...users, '--trust', String(DEPLOY.uid), '--ignore-ancestors', '--config', `${root}.config.json`];
  const flagsOf = (ignored: readonly string[]) => ignored.flatMap((glob) => ['--ignore', glob]);
  const ignoreFlags = flagsOf(IGNORED);
  const audit = (root: string, ...extra: string[]) =>
    runCliJson<{ findings: Finding[] }>(['audit', root, '--format', 'json', '--fail-on', 'never', ...options(root), ...extra]).json
      .findings;
  const fixes = (findings: Finding[]) => findings.filter((f) => f.severity !== 'info' && f.fix !== undefined).map((f) => f.fix!);
  const copyOf = (root: string) => {
    const copy = `${root}-copy`;
    execFileSync('cp', ['-a', root, copy]);
    writeFileSync(`${copy}.config.json`, readConfig(root));
    return copy;
  };
  const readConfig = (root: string) => execFileSync('cat', [`${root}.config.json`], { encoding: 'utf8' });

  /** The ignored entries keep their modes; others can read no other entry under var/ now. */
  function expectOnlyTheRestFixed(root: string, before: Map<string, string>, ignored: readonly string[] = IGNORED): void {
    const after = modes(root);
    for (const [rel, state] of before) {
      if (inside(rel, ignored)) expect(after.get(rel), rel).toBe(state);
      else if (inside(rel, ['var'])) expect(Number.parseInt(after.get(rel)!.split(' ')[0]!, 8) & 0o004, `${rel} o-r`).toBe(0);
    }
  }

  it('without --ignore, the printed fix is one chmod -R over var/, which changes what the others ignore', () => {
    const root = tree(narrowTree());
    const before = modes(root);
    const printed = fixes(audit(root, '--jobs', '1'));
    expect(printed.flatMap(recursiveTargets)).toContain('var');
    for (const fix of printed) expect(pasted(fix, root), fix).toBe(0);
    const after = modes(root);
    for (const rel of IGNORED.filter((rel) => before.has(rel))) expect(after.get(rel), rel).not.toBe(before.get(rel));
  });

  for (const [where, ignored] of [
    ['the planner lists', PLANNER_LEVEL],
    ['a worker walks', WORKER_LEVEL],
  ] as const) {
    for (const jobs of ['1', '2']) {
      it(`the printed fixes, pasted, fix var/ but leave what is ignored where ${where} as it was (--jobs ${jobs})`, () => {
        const root = tree(narrowTree());
        const before = modes(root);
        const findings = audit(root, '--jobs', jobs, ...flagsOf(ignored));
        expect(findings.some((f) => f.rule === 'access-excess' && f.path === 'var')).toBe(true);
        const printed = fixes(findings);
        // Commands, not the `permcheck fix` pointer: the regression was in what a recursive command reaches.
        expect(printed.length).toBeGreaterThan(0);
        for (const fix of printed) {
          expect(fix).not.toMatch(/^permcheck /);
          expectNoReach(fix, ignored);
        }
        // Folding still happens where nothing is left out.
        expect(printed.flatMap(recursiveTargets)).toContain('var/log');
        for (const fix of printed) expect(pasted(fix, root), fix).toBe(0);
        expectOnlyTheRestFixed(root, before, ignored);
        expect(audit(root, '--jobs', jobs, ...flagsOf(ignored)).filter((f) => f.severity === 'error')).toEqual([]);
      });
    }
  }

  it('the same findings and fixes with --jobs 1 and the parallel walk', () => {
    const root = tree(wideTree());
    expect(audit(root, '--jobs', '2', ...ignoreFlags)).toEqual(audit(root, '--jobs', '1', ...ignoreFlags));
    const narrow = tree(narrowTree());
    for (const ignored of [PLANNER_LEVEL, WORKER_LEVEL]) {
      expect(audit(narrow, '--jobs', '2', ...flagsOf(ignored))).toEqual(audit(narrow, '--jobs', '1', ...flagsOf(ignored)));
    }
  });

  it("the config's ignore list counts as --ignore", () => {
    const root = tree(narrowTree(), IGNORED);
    const before = modes(root);
    for (const fix of fixes(audit(root, '--jobs', '2'))) {
      expectNoReach(fix, IGNORED);
      expect(pasted(fix, root), fix).toBe(0);
    }
    expectOnlyTheRestFixed(root, before);
  });

  for (const jobs of ['1', '2']) {
    it(`a wide tree: the pasted pointer and permcheck fix --yes leave the ignored entries alone (--jobs ${jobs})`, () => {
      const root = tree(wideTree());
      const copy = copyOf(root);
      const before = modes(root);
      const printed = fixes(audit(root, '--jobs', jobs, ...ignoreFlags));
      // Forty subdirectories are too many commands: the fix is `permcheck fix --only 'var/**'`, with the same --ignore.
      expect(printed.some((fix) => fix.startsWith('permcheck fix ') && IGNORED.every((rel) => fix.includes(`--ignore '${rel}'`)))).toBe(
        true,
      );
      for (const fix of printed) {
        expectNoReach(fix, IGNORED);
        expect(pasted(fix, root), fix).toBe(0);
      }
      expectOnlyTheRestFixed(root, before);

      const applied = runCli(['fix', copy, ...options(copy), ...ignoreFlags, '--yes', ...journal()]);
      expect(applied.code, applied.stderr + applied.stdout).toBe(0);
      expectOnlyTheRestFixed(copy, before);
      expect(modes(copy)).toEqual(modes(root));
    });
  }

  // As deploy, who cannot list var/private (root's, 0700), the walk reports it and sees nothing in it.
  // var/ keeps web out (deploy:deploy 0750), so its traverse-denied fix opens the whole subtree: a
  // recursive chgrp/chmod over var/, pasted later as root, made root's files there group-writable.
  it('what a non-root audit could not read is not reached by a recursive fix either', () => {
    const own = { uid: DEPLOY.uid, gid: WWW };
    const root = tree([
      { path: '.', type: 'dir', ...own, mode: 0o755 },
      { path: 'var', type: 'dir', uid: DEPLOY.uid, gid: DEPLOY.gid, mode: 0o750 },
      { path: 'var/log', type: 'dir', ...own, mode: 0o755 },
      { path: 'var/log/a.log', type: 'file', ...own, mode: 0o644 },
      { path: 'var/log/b.log', type: 'file', ...own, mode: 0o644 },
      { path: 'var/private', type: 'dir', uid: 0, gid: 0, mode: 0o700 },
      { path: 'var/private/db.sqlite', type: 'file', uid: 0, gid: 0, mode: 0o600 },
    ]);
    const audits = ['1', '2'].map((jobs) => {
      const { json } = runCliJson<{ findings: Finding[] }>(
        ['audit', root, '--format', 'json', '--fail-on', 'never', '--jobs', jobs, ...options(root)],
        { uid: DEPLOY.uid, gid: DEPLOY.gid },
      );
      return json.findings;
    });
    expect(audits[1]).toEqual(audits[0]);
    const findings = audits[0]!;
    expect(findings.some((f) => f.rule === 'walk-error' && f.path === 'var/private')).toBe(true);
    expect(findings.some((f) => f.rule === 'traverse-denied' && f.path === 'var' && f.fix !== undefined)).toBe(true);
    const targets = fixes(findings).flatMap(recursiveTargets);
    expect(targets.filter((target) => inside('var/private', [target]))).toEqual([]);
    // What it could read still folds.
    expect(targets).toContain('var/log');
  });

  it('permcheck fix --only var/** --yes changes nothing ignored either', () => {
    const root = tree(wideTree());
    const before = modes(root);
    const applied = runCli(['fix', root, ...options(root), ...ignoreFlags, '--only', 'var/**', '--yes', ...journal()]);
    expect(applied.code, applied.stderr + applied.stdout).toBe(0);
    expectOnlyTheRestFixed(root, before);
  });
});
