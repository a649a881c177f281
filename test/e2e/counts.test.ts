import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliJson } from '../helpers/cli.js';
import { laravelTree, magentoTree, plant, ROLES_CONFIG, WWW } from '../helpers/frameworks.js';
import { randomTree } from '../helpers/random-tree.js';
import { makeTempDir } from '../helpers/tmp.js';
import { buildTree, type EntrySpec } from '../helpers/tree.js';
import { DEPLOY, isRoot, WEB, writeUserFiles } from '../helpers/users.js';

interface Report {
  findings: { rule: string; severity: string; path: string; role?: string }[];
  summary: { errors: number; warnings: number; infos: number };
}

const TREES: Record<string, () => EntrySpec[]> = {
  'Magento with four faults': () =>
    plant(
      magentoTree(),
      { path: 'var/cache/mage--a', type: 'file', mode: 0o644, uid: WEB.uid, gid: WEB.gid },
      { path: 'pub/media', type: 'dir', mode: 0o2700 },
      { path: 'app/etc/env.php', type: 'file', mode: 0o644 },
      { path: 'vendor/magento/framework/Url.php', type: 'file', mode: 0o664 },
    ),
  'Laravel with one odd cache directory': () =>
    plant(laravelTree(), { path: 'storage/framework/cache', type: 'dir', mode: 0o755, uid: WEB.uid, gid: WEB.gid }),
  // Folded with exceptions: one finding a rule and role at the root names the three files fixed by hand.
  'Laravel opened with chmod -R 777, three files fixed by hand': () =>
    plant(
      [
        ...laravelTree(),
        { path: 'vendor/lib', type: 'dir' } as EntrySpec,
        ...Array.from({ length: 30 }, (_, i): EntrySpec => ({ path: `vendor/lib/f${i}.php`, type: 'file' })),
      ].map((entry) => ({ ...entry, uid: DEPLOY.uid, gid: WWW, mode: entry.type === 'dir' ? 0o2777 : 0o777 })),
      { path: 'artisan', type: 'file', mode: 0o750 },
      { path: 'public/index.php', type: 'file', mode: 0o640 },
      { path: 'vendor/lib/f7.php', type: 'file', mode: 0o640 },
    ),
  'a random tree': () => [{ path: '.', type: 'dir', mode: 0o755, uid: DEPLOY.uid, gid: WWW }, ...randomTree(7, 300)],
};

/**
 * "A finding" is one rule at one path for one role (or for none): the text headers, the summary
 * line, JSON's summary and SARIF's results all count the same findings, and text lists every one.
 */
describe.skipIf(!isRoot)('counts match what is listed, in text, JSON and SARIF', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let flags: string[];
  beforeAll(() => {
    tmp = makeTempDir('permcheck-counts-');
    const users = writeUserFiles(tmp.path);
    writeFileSync(join(tmp.path, 'config.json'), JSON.stringify(ROLES_CONFIG));
    flags = [
      '--passwd',
      users.passwd,
      '--group',
      users.group,
      '--ignore-ancestors',
      '--config',
      join(tmp.path, 'config.json'),
      '--fail-on',
      'never',
    ];
  });
  afterAll(() => tmp?.cleanup());

  it.each(Object.keys(TREES))('%s', (name) => {
    const root = join(tmp.path, name.replace(/\W+/g, '-'));
    buildTree(root, TREES[name]!());
    const { json } = runCliJson<Report>(['audit', root, '--format', 'json', ...flags]);
    const bySeverity = (severity: string) => json.findings.filter((f) => f.severity === severity).length;
    expect(json.summary).toMatchObject({ errors: bySeverity('error'), warnings: bySeverity('warning'), infos: bySeverity('info') });
    expect(json.findings.length).toBeGreaterThan(0);

    const sarif = JSON.parse(runCli(['audit', root, '--format', 'sarif', ...flags]).stdout) as {
      runs: { results: { ruleId: string; level: string }[] }[];
    };
    const results = sarif.runs[0]!.results;
    expect(results.length).toBe(json.findings.length);
    for (const [level, severity] of [
      ['error', 'error'],
      ['warning', 'warning'],
      ['note', 'info'],
    ] as const) {
      expect(results.filter((r) => r.level === level).length, level).toBe(bySeverity(severity));
    }

    const text = runCli(['audit', root, '--verbose', ...flags]).stdout;
    const summaryLine = text.trim().split('\n').at(-1)!;
    const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
    expect(summaryLine).toContain(
      `${plural(json.summary.errors, 'error', 'errors')}, ${plural(json.summary.warnings, 'warning', 'warnings')}, ${plural(json.summary.infos, 'info', 'info')}`,
    );
    // Every section header counts the items listed under it: one per finding.
    const sections = text.split(/\n(?=(?:Errors|Warnings|Info) \()/).slice(1);
    for (const section of sections) {
      const [, heading, count] = /^(Errors|Warnings|Info) \((\d[\d,]*)\)/.exec(section)!;
      const severity = { Errors: 'error', Warnings: 'warning', Info: 'info' }[heading!]!;
      const items = section.split('\n').filter((line) => /^ {4}\S/.test(line) && !line.startsWith('    …'));
      expect(items.length, heading).toBe(Number(count!.replace(/,/g, '')));
      expect(items.length, heading).toBe(bySeverity(severity));
      for (const rule of section.split('\n').filter((line) => /^ {2}[a-z-]+: .* \((\d[\d,]*)\)$/.test(line))) {
        const id = rule.trim().split(':')[0]!;
        expect(Number(/\((\d[\d,]*)\)$/.exec(rule)![1]!.replace(/,/g, '')), id).toBe(
          json.findings.filter((f) => f.rule === id && f.severity === severity).length,
        );
      }
    }
  });
});
