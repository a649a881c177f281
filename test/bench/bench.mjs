// npm run bench: permcheck audit against find on the same synthetic trees, in the same run.
// Trees are built once and kept in $PERMCHECK_BENCH_DIR (default: the temp dir).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { availableParallelism, tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedBenchTree } from './tree.mjs';
import { cachedPhpTree } from './php-tree.mjs';

const RUNS = Number(process.env.PERMCHECK_BENCH_RUNS ?? 5);
const SIZES = (process.env.PERMCHECK_BENCH_SIZES ?? '100000,1000000').split(',').filter(Boolean).map(Number);
// The scan for modes hard-coded in PHP, on a vendor tree of real PHP files (0: skip it).
const SCAN_FILES = Number(process.env.PERMCHECK_BENCH_SCAN_FILES ?? 50000);
const SCAN = fileURLToPath(new URL('./scan.mjs', import.meta.url));
const CACHE = process.env.PERMCHECK_BENCH_DIR ?? join(tmpdir(), 'permcheck-bench');
const RSS = fileURLToPath(new URL('./rss.cjs', import.meta.url));
const ARCHIVE_WALK = fileURLToPath(new URL('./archive-walk.mjs', import.meta.url));
const TREE_WALK = fileURLToPath(new URL('./tree-walk.mjs', import.meta.url));
// 'tree' runs only the audits of trees on disk, 'acl' only the plain audit and the audit of the same
// tree with ACLs, 'archive' only the archive reads, 'startup' only start-up, 'scan' only the scan for
// hard-coded modes (the PHP tree), 'floor' only the walk and rules against the walk alone.
const ONLY = process.env.PERMCHECK_BENCH_ONLY;
// The share of the entries that carry an ACL in the ACL row.
const ACL_SHARE = 0.01;

mkdirSync(CACHE, { recursive: true });
const me = process.getuid();
const webUser = readFileSync('/etc/passwd', 'utf8')
  .split('\n')
  .map((l) => l.split(':'))
  .find((f) => f[0] === 'www-data');
if (!webUser) throw new Error('the benchmark binds the web role to www-data, which this machine lacks');
const web = { uid: Number(webUser[2]), gid: Number(webUser[3]) };
const user = readFileSync('/etc/passwd', 'utf8')
  .split('\n')
  .map((l) => l.split(':'))
  .find((f) => Number(f[2]) === me)[0];

// A three-role policy for a Magento deployment: code written by the deploy user under umask 022,
// PHP-FPM (www-data, umask 002) writing var/, generated/, pub/static/.
const policy = join(CACHE, 'policy.json');
writeFileSync(
  policy,
  JSON.stringify({ preset: 'magento2', umask: '0022', roles: { web: { user: 'www-data', umask: '0002' }, cli: { user }, cron: { user } } }),
);
// The same tree judged against Magento's own umask 002: nearly every code file is "stricter than
// expected", and the 1% odd modes keep those findings from folding: a findings-heavy worst case.
const heavy = join(CACHE, 'policy-heavy.json');
writeFileSync(heavy, JSON.stringify({ preset: 'magento2', roles: { web: { user: 'www-data' }, cli: { user }, cron: { user } } }));
// The first policy with the scan for modes hard-coded in PHP off: the walk and the rules alone, what
// find's work compares with (three quarters of the synthetic tree's files are named *.php; the scan
// has its own rows below, against this same walk).
const walkOnly = join(CACHE, 'policy-walk-only.json');
writeFileSync(
  walkOnly,
  JSON.stringify({
    preset: 'magento2',
    umask: '0022',
    roles: { web: { user: 'www-data', umask: '0002' }, cli: { user }, cron: { user } },
    rules: { 'hardcoded-mode': 'off' },
  }),
);

/** Wall seconds, CPU seconds (user + system, every thread: it does not grow when others load the machine) and peak RSS. */
function time(command, args, options = {}) {
  const cpu = childrenCpu();
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'inherit', 'pipe'], ...options });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0 && result.status !== 1) throw new Error(`${command} ${args.join(' ')} exited ${result.status}`);
  return { seconds, cpu: childrenCpu() - cpu, rssKb: result.output[3] ? Number(String(result.output[3]).trim()) : undefined };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const find = (root) => time('find', [root, '-printf', '%m %U %G %p\n']);
const permcheck = (root, config, extra = []) =>
  time(process.execPath, [RSS, 'audit', root, '--format', 'json', '--config', config, ...extra]);

function findings(root, config) {
  const out = spawnSync(process.execPath, [RSS, 'audit', root, '--format', 'json', '--config', config], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'inherit', 'pipe'],
  });
  return JSON.parse(out.stdout).summary;
}

console.log(
  `permcheck benchmark: ${cpus()[0]?.model ?? 'cpu'}, ${availableParallelism()} cores, Node ${process.version}, ${RUNS} runs each, medians`,
);
if (me !== 0) console.log('(not root: the run-time trees cannot be given to www-data, so this tree has more findings than in CI)');
// Start-up: what a CI step or a shell habit pays on every call, against bare node.
if (ONLY === undefined || ONLY === 'startup') benchStartup();

const rows = [];
const archiveRows = [];
for (const size of ONLY === 'startup' || ONLY === 'scan' ? [] : SIZES) {
  const { root } = cachedBenchTree(CACHE, size, me === 0 ? web : undefined);
  if (ONLY === undefined || ONLY === 'archive') archiveRows.push(...benchArchive(root));
  if (ONLY === 'archive') continue;
  // Warm the page cache and the dentry cache for both tools first.
  find(root);
  permcheck(root, policy);
  const summary = findings(root, policy);
  // The floor under the audit: its walk with nothing judged, and the least a Node walk can do.
  const walked = { entries: summary.entries, errors: 0, warnings: 0, infos: 0 };
  const floor = [
    ['the walk alone, 2 threads (no rules, no report)', () => time(process.execPath, [TREE_WALK, 'walker', root]), walked],
    ['least Node walk, 2 threads (3 calls per entry, no checks)', () => time(process.execPath, [TREE_WALK, 'least', root]), walked],
  ];
  if (ONLY === 'floor') {
    rows.push(
      ...againstFind(root, [
        ['permcheck, no PHP scan (walk + rules)', () => permcheck(root, walkOnly), findings(root, walkOnly)],
        ...floor,
      ]),
    );
    continue;
  }
  const heavySummary = findings(root, heavy);
  rows.push(...againstFind(root, [['permcheck', () => permcheck(root, policy), summary]]));
  // 'acl': the plain row above is what the tree with ACLs compares with.
  if (ONLY !== 'acl') {
    rows.push(
      ...againstFind(root, [
        ['permcheck, no PHP scan (walk + rules)', () => permcheck(root, walkOnly), findings(root, walkOnly)],
        ['permcheck --jobs 1', () => permcheck(root, policy, ['--jobs', '1']), summary],
        ['permcheck, findings-heavy', () => permcheck(root, heavy), heavySummary],
      ]),
    );
    rows.push(...againstFind(root, floor));
  }
  rows.push(...benchAclTree(size));
}

/** Each case alternated with find on the same tree, RUNS times: medians, the ratio, peak memory. */
function againstFind(root, cases) {
  return cases.map(([name, run, summary]) => {
    const findTimes = [];
    const ours = [];
    for (let i = 0; i < RUNS; i++) {
      findTimes.push(find(root));
      ours.push(run());
    }
    const f = median(findTimes.map((r) => r.seconds));
    const p = median(ours.map((r) => r.seconds));
    const rss = Math.max(...ours.map((r) => r.rssKb ?? 0));
    return {
      entries: summary.entries,
      name,
      find: f,
      permcheck: p,
      ratio: p / f,
      cpuRatio: median(ours.map((r) => r.cpu)) / median(findTimes.map((r) => r.cpu)),
      rssMb: rss / 1024,
      findings: summary.errors + summary.warnings + summary.infos,
    };
  });
}

/**
 * The same tree where 1% of the entries carry a Symfony-style ACL (named entries for www-data and the
 * deploy user, a named group, the mask; half of those directories a default ACL too): the ACL of
 * every entry is read in every row, so this row shows what decoding and judging the ACLs adds.
 */
function benchAclTree(size) {
  const acl = { share: ACL_SHARE, web: web.uid, deploy: me, group: web.gid };
  const { root, acls } = cachedBenchTree(CACHE, size, me === 0 ? web : undefined, acl);
  find(root);
  permcheck(root, policy);
  const summary = findings(root, policy);
  if (summary.aclUnknown > 0) throw new Error(`the ACLs of ${summary.aclUnknown} entries could not be read`);
  return againstFind(root, [[`permcheck, ${acls.toLocaleString('en-US')} entries with an ACL`, () => permcheck(root, policy), summary]]);
}

const pad = (text, width) => String(text).padStart(width);
// ratio: wall time; CPU ratio: user + system time of every thread, against find's (or tar's) one thread.
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
if (rows.length > 0) {
  console.log(
    `\n(load average ${loadAverage()})\n| entries | run | find | permcheck | ratio | CPU ratio | peak RSS | findings |\n| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |`,
  );
}
for (const r of rows) {
  console.log(
    `| ${r.entries.toLocaleString('en-US')} | ${r.name} | ${r.find.toFixed(2)} s | ${r.permcheck.toFixed(2)} s | ${r.ratio.toFixed(2)}x | ${r.cpuRatio.toFixed(2)}x | ${pad(r.rssMb.toFixed(0), 3)} MB | ${r.findings.toLocaleString('en-US')} |`,
  );
}
if (archiveRows.length > 0) {
  console.log(
    `\n| entries | run | tar -tvf | permcheck | ratio | CPU ratio | peak RSS |\n| ---: | --- | ---: | ---: | ---: | ---: | ---: |`,
  );
  for (const r of archiveRows) {
    console.log(
      `| ${r.entries.toLocaleString('en-US')} | ${r.name} | ${r.tar.toFixed(2)} s | ${r.permcheck.toFixed(2)} s | ${r.ratio.toFixed(2)}x | ${r.cpuRatio.toFixed(2)}x | ${pad(r.rssMb.toFixed(0), 3)} MB |`,
    );
  }
}

/**
 * The same tree as a tar archive (made once with tar -cf and kept beside it): permcheck's reader
 * and walk driver with a visitor that does nothing, against tar -tvf listing the same archive.
 */
function benchArchive(root) {
  const archive = `${root}.tar`;
  if (!existsSync(`${archive}.done`)) {
    process.stderr.write(`archiving ${root} (once) ... `);
    time('tar', ['-cf', archive, '-C', root, '.']);
    writeFileSync(`${archive}.done`, '');
    process.stderr.write('done\n');
  }
  const entries = Number(
    spawnSync(process.execPath, [ARCHIVE_WALK, archive], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit', 'pipe'] }).stdout,
  );
  // The whole audit of the archive, as a CI step runs it: the same policies as the trees on disk.
  const audit = (config) => () => permcheck(archive, config, ['--ignore-ancestors']);
  const cases = [
    ['read a .tar + walk, no-op visitor', () => time(process.execPath, [ARCHIVE_WALK, archive])],
    ['permcheck audit .tar', audit(policy)],
    ['permcheck audit .tar, findings-heavy', audit(heavy)],
  ];
  return cases.map(([name, run]) => {
    const tarTimes = [];
    const ours = [];
    for (let i = 0; i < RUNS; i++) {
      tarTimes.push(time('tar', ['-tvf', archive]));
      ours.push(run());
    }
    const tar = median(tarTimes.map((r) => r.seconds));
    const permcheck = median(ours.map((r) => r.seconds));
    const cpuRatio = median(ours.map((r) => r.cpu)) / median(tarTimes.map((r) => r.cpu));
    const rssMb = Math.max(...ours.map((r) => r.rssKb ?? 0)) / 1024;
    return { entries, name, tar, permcheck, ratio: permcheck / tar, cpuRatio, rssMb };
  });
}

const main = rows.filter((r) => r.name === 'permcheck');
if (main.length >= 2) {
  const [small, large] = [main[0], main[main.length - 1]];
  console.log(
    `\nscaling: ${large.entries.toLocaleString('en-US')} entries took ${(large.permcheck / small.permcheck).toFixed(1)}x the time of ${small.entries.toLocaleString('en-US')} (${(large.entries / small.entries).toFixed(0)}x the entries)`,
  );
}

/** CPU seconds (user + system) of the children waited for so far, from /proc/self/stat (Linux). */
function childrenCpu() {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  // After "pid (comm) ": state is field 0, cutime 13, cstime 14; clock ticks of 1/100 s on Linux.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** Wall and CPU seconds of one run: CPU counts every thread and does not grow when others load the machine. */
function timed(run) {
  const cpu = childrenCpu();
  const result = run();
  return { ...result, cpu: childrenCpu() - cpu };
}

if (SCAN_FILES > 0 && (ONLY === undefined || ONLY === 'scan')) {
  // The scan reads every *.php file and parses the few that name a mode: compare it with find
  // (names and modes only) and with permcheck's own audit walk of the same tree (the rule off: no scan).
  const root = cachedPhpTree(CACHE, SCAN_FILES);
  const generic = join(CACHE, 'policy-generic.json');
  writeFileSync(generic, JSON.stringify({ preset: 'generic', roles: { web: { user: 'www-data' }, cli: { user }, cron: { user } } }));
  // What the issue asks: the audit with the scan (the hardcoded-mode rule on, its default) against the
  // same audit with the rule off, which reads no PHP at all. The scan must add less than the walk takes.
  const scanOff = join(CACHE, 'policy-generic-scan-off.json');
  writeFileSync(
    scanOff,
    JSON.stringify({
      preset: 'generic',
      roles: { web: { user: 'www-data' }, cli: { user }, cron: { user } },
      rules: { 'hardcoded-mode': 'off' },
    }),
  );
  const scan = (prefilter = 'auto') => {
    const started = process.hrtime.bigint();
    const out = spawnSync(process.execPath, [SCAN, root, prefilter], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (out.status !== 0) throw new Error(`scan exited ${out.status}`);
    return { seconds: Number(process.hrtime.bigint() - started) / 1e9, counts: JSON.parse(out.stdout) };
  };
  find(root);
  scan();
  const scanRows = [];
  for (const prefilter of ['auto', 'js']) {
    const finds = [];
    const walks = [];
    const scans = [];
    for (let i = 0; i < RUNS; i++) {
      finds.push(timed(() => find(root)));
      walks.push(timed(() => permcheck(root, scanOff)));
      scans.push(timed(() => scan(prefilter)));
    }
    const wall = (runs) => median(runs.map((r) => r.seconds));
    const cpu = (runs) => median(runs.map((r) => r.cpu));
    scanRows.push({
      name: `scan, prefilter ${scans[0].counts.prefilter}`,
      find: wall(finds),
      walk: wall(walks),
      scan: wall(scans),
      findCpu: cpu(finds),
      walkCpu: cpu(walks),
      scanCpu: cpu(scans),
      counts: scans[0].counts,
    });
  }
  const auditRows = [];
  for (const jobs of [undefined, '1']) {
    const extra = jobs ? ['--jobs', jobs] : [];
    const finds = [];
    const off = [];
    const on = [];
    for (let i = 0; i < RUNS; i++) {
      finds.push(timed(() => find(root)));
      off.push(timed(() => permcheck(root, scanOff, extra)));
      on.push(timed(() => permcheck(root, generic, extra)));
    }
    const wall = (runs) => median(runs.map((r) => r.seconds));
    const cpu = (runs) => median(runs.map((r) => r.cpu));
    auditRows.push({
      name: jobs ? `audit --jobs ${jobs}` : 'audit',
      find: wall(finds),
      findCpu: cpu(finds),
      off: wall(off),
      on: wall(on),
      offCpu: cpu(off),
      onCpu: cpu(on),
    });
  }
  // The floor under the scan: the audit with the rule off, run beside what any scan of this tree must
  // do before it parses a line. Reading every PHP file (grep with a search that never matches) and the
  // prefilter's own two greps (the same arguments the scan gives them), each in parallel with the walk.
  const { grepStages } = await import('../../dist/scan/grep-prefilter.js');
  const stages = grepStages();
  const quote = (words) => words.map((w) => `'${w.replaceAll("'", "'\\''")}'`).join(' ');
  const audit = quote([process.execPath, RSS, 'audit', root, '--format', 'json', '--config', scanOff]);
  const beside = (work) => () =>
    time('bash', ['-c', `${audit} > /dev/null & (cd ${quote([root])} && ${work}) > /dev/null; wait $!`], {
      env: { ...process.env, LC_ALL: 'C' },
    });
  const floorRuns = [
    ['audit, rule off (the walk)', () => permcheck(root, scanOff)],
    [
      'audit, rule off, beside grep reading every *.php (never matches)',
      beside(quote(['grep', '-rlZ', '-D', 'skip', '--include=*.php', '-F', '-e', 'permcheck-never-matches', '--', '.'])),
    ],
    [
      "audit, rule off, beside the prefilter's two greps (nothing parsed)",
      beside(`${quote(['grep', ...stages.list])} | ${quote(['xargs', ...stages.narrow])}`),
    ],
    ['audit with the scan', () => permcheck(root, generic)],
  ];
  const floorTimes = floorRuns.map(() => []);
  for (let i = 0; i < RUNS; i++) floorRuns.forEach(([, run], k) => floorTimes[k].push(run()));

  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`\nthe floor under the scan: what it must do before parsing, beside the walk (load average ${load})`);
  console.log(`| run | wall (CPU) | added to the walk | added / walk |\n| --- | ---: | ---: | ---: |`);
  const walkWall = median(floorTimes[0].map((r) => r.seconds));
  floorRuns.forEach(([name], k) => {
    const wall = median(floorTimes[k].map((r) => r.seconds));
    const cpu = median(floorTimes[k].map((r) => r.cpu));
    console.log(
      `| ${name} | ${wall.toFixed(2)} s (${cpu.toFixed(2)} s) | ${(wall - walkWall).toFixed(2)} s | ${((wall - walkWall) / walkWall).toFixed(2)}x |`,
    );
  });
  console.log(`\naudit of the same tree with the scan (hardcoded-mode on) and without it (off) (load average ${load})`);
  console.log(
    `| run | find | walk only (rule off) | walk + scan | the scan adds | added / walk |\n| --- | ---: | ---: | ---: | ---: | ---: |`,
  );
  for (const r of auditRows) {
    const both = (wall, cpu) => `${wall.toFixed(2)} s (${cpu.toFixed(2)} s)`;
    console.log(
      `| ${r.name} | ${both(r.find, r.findCpu)} | ${both(r.off, r.offCpu)} | ${both(r.on, r.onCpu)} | ${both(r.on - r.off, r.onCpu - r.offCpu)} | ${((r.on - r.off) / r.off).toFixed(2)}x |`,
    );
  }
  console.log(`\nscan of PHP code for hard-coded modes (load average ${load}; wall time, then CPU time in brackets)`);
  console.log(
    `| files listed (grep: its candidates) | run | parsed | read | find | permcheck audit | scan | scan / find | scan / audit |\n| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`,
  );
  for (const r of scanRows) {
    const both = (wall, cpu) => `${wall.toFixed(2)} s (${cpu.toFixed(2)} s)`;
    console.log(
      `| ${r.counts.listed.toLocaleString('en-US')} | ${r.name} | ${r.counts.parsed.toLocaleString('en-US')} | ${(r.counts.bytes / 1e6).toFixed(0)} MB | ${both(r.find, r.findCpu)} | ${both(r.walk, r.walkCpu)} | ${both(r.scan, r.scanCpu)} | ${(r.scan / r.find).toFixed(2)}x | ${(r.scan / r.walk).toFixed(2)}x (${(r.scanCpu / r.walkCpu).toFixed(2)}x) |`,
    );
  }
}

/**
 * `permcheck --version` and `explain 027` against `node -e 0`, with hyperfine (alternating runs,
 * after a warm-up). Wall time is what a user waits; CPU time (user + system) does not grow when
 * other work loads the machine, so both are shown.
 */
function benchStartup() {
  const bin = fileURLToPath(new URL('../../bin/permcheck.js', import.meta.url));
  const commands = [
    ['node -e 0', `${process.execPath} -e 0`],
    ['permcheck --version', `${process.execPath} ${bin} --version`],
    ['permcheck explain 027', `${process.execPath} ${bin} explain 027`],
  ];
  const json = join(CACHE, 'startup.json');
  const runs = Math.max(RUNS * 4, 20);
  const args = [
    '-N',
    '--warmup',
    '3',
    '--runs',
    String(runs),
    '--export-json',
    json,
    ...commands.flatMap(([name, line]) => ['-n', name, line]),
  ];
  const result = spawnSync('hyperfine', args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.error || result.status !== 0) {
    console.log(`\n(start-up not measured: hyperfine ${result.error ? 'is not installed' : `exited ${result.status}`})`);
    return;
  }
  const measured = JSON.parse(readFileSync(json, 'utf8')).results.map((r) => ({
    name: r.command,
    wall: median(r.times),
    // hyperfine gives CPU time as a mean over the runs.
    cpu: r.user + r.system,
  }));
  const base = measured[0];
  console.log(
    `\nstart-up (${runs} runs each; wall: median, CPU: mean)\n| run | wall | ratio | CPU | ratio |\n| --- | ---: | ---: | ---: | ---: |`,
  );
  for (const r of measured) {
    const ms = (seconds) => `${(seconds * 1000).toFixed(0)} ms`;
    console.log(`| ${r.name} | ${ms(r.wall)} | ${(r.wall / base.wall).toFixed(2)}x | ${ms(r.cpu)} | ${(r.cpu / base.cpu).toFixed(2)}x |`);
  }
}
