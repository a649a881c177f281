import { describe, expect, it } from 'vitest';
import { ITEM_SEPARATOR, printAround } from '../../src/reporters/json-stream.js';
import { escapeData, escapeProperty, githubReporter, workflowCommand } from '../../src/reporters/github.js';
import { jsonReporter } from '../../src/reporters/json.js';
import type { ReportHeader, Reporter } from '../../src/reporters/reporter.js';
import { sarifReporter } from '../../src/reporters/sarif.js';
import { plain } from '../../src/paint.js';
import type { Finding } from '../../src/rules/contract.js';

const header: ReportHeader = {
  root: '/srv/shop',
  resolvedRoot: '/srv/shop',
  preset: 'magento2',
  presetSource: 'detected from bin/magento',
  config: { file: null, source: 'none' },
  roles: [
    { name: 'web', user: 'www-data', uid: 33, gid: 33, groups: ['www-data'], umask: '0002', umaskOrigin: 'x', origin: 'y', sources: [] },
  ],
  runner: { uid: 0, user: 'root' },
};

const finding = (path: string, extra: Partial<Finding> = {}): Finding => ({
  rule: 'world-writable',
  severity: 'error',
  path,
  message: `${path} is writable by any local user`,
  fix: `chmod o-w '${path}'`,
  entries: 1,
  ...extra,
});

const summary = { entries: 3, errors: 2, warnings: 0, infos: 0, elapsedMs: 12.4 };

/** Everything a reporter writes for these findings, half of them as a worker would send them (serialized, joined). */
function report(reporter: Reporter, findings: Finding[]): string {
  let out = reporter.begin(header);
  const half = Math.ceil(findings.length / 2);
  for (const f of findings.slice(0, half)) out += reporter.finding(f);
  const rest = findings.slice(half);
  if (rest.length > 0 && reporter.serialize)
    out += reporter.serializedFinding!() + rest.map((f) => reporter.serialize!(f)).join(ITEM_SEPARATOR);
  else for (const f of rest) out += reporter.finding(f);
  return out + reporter.end(summary);
}

describe('printAround: a document printed around its streamed array', () => {
  const document = { a: 1, nested: { list: [{ x: [1, 2] }, { items: [] as number[], after: 'z' }] }, last: [true] };

  it('head + items + tail is the document, laid out as JSON.stringify lays it out', () => {
    const empty = printAround(document, ['nested', 'list', 1, 'items'], false);
    expect(empty.head + empty.tail).toBe(JSON.stringify(document, null, 2) + '\n');
    const full = printAround(document, ['nested', 'list', 1, 'items'], true);
    const text = `${full.head}\n    1${ITEM_SEPARATOR}2${full.tail}`;
    const expected = structuredClone(document);
    expected.nested.list[1]!.items = [1, 2];
    expect(JSON.parse(text)).toEqual(expected);
  });

  it('refuses a path that does not lead to an array', () => {
    expect(() => printAround(document, ['a'], false)).toThrow(/does not lead to an array/);
    expect(() => printAround(document, ['nope'], false)).toThrow(/"nope" is not in the document/);
  });
});

describe('the JSON and SARIF reporters', () => {
  const findings = [finding('a.php'), finding('b "quoted"\n.php', { role: 'web', found: { mode: '0666' } }), finding('c.php')];

  it('JSON: one document, findings in order, summary at the end, one finding per line', () => {
    for (const list of [[], findings.slice(0, 1), findings]) {
      const text = report(jsonReporter(), list);
      const json = JSON.parse(text);
      expect(json.findings).toEqual(list);
      expect(json.summary).toEqual({ ...summary, elapsedMs: 12 });
      expect(Object.keys(json)).toEqual(['version', 'root', 'preset', 'presetSource', 'config', 'roles', 'runner', 'findings', 'summary']);
      expect(text.split('\n').filter((line) => line.startsWith('    {"rule"'))).toHaveLength(list.length);
    }
  });

  it('SARIF: a log with every rule, a result per finding, the summary in the run', () => {
    const sarif = JSON.parse(report(sarifReporter(), findings));
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0];
    expect(
      run.results.map((r: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => [
        r.ruleId,
        r.locations[0]!.physicalLocation.artifactLocation.uri,
      ]),
    ).toEqual([
      ['world-writable', 'a.php'],
      ['world-writable', 'b%20%22quoted%22%0A.php'],
      ['world-writable', 'c.php'],
    ]);
    expect(run.originalUriBaseIds.ROOT.uri).toBe('file:///srv/shop/');
    expect(run.properties).toEqual({ ...summary, elapsedMs: 12 });
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toContain('cross-context');
  });
});

/** GitHub's runner parses `::command k=v,k=v::data` and unescapes like this (ActionCommandManager, toCommandValue). */
function parseWorkflowCommand(line: string): { command: string; properties: Record<string, string>; data: string } | undefined {
  const match = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
  if (!match) return undefined;
  const unescape = (text: string) =>
    text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
  const properties: Record<string, string> = {};
  for (const pair of (match[2] ?? '').split(',').filter(Boolean)) {
    const at = pair.indexOf('=');
    properties[pair.slice(0, at)] = unescape(pair.slice(at + 1));
  }
  return { command: match[1]!, properties, data: match[3]!.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%') };
}

describe('--format github: workflow commands that stay what they are, whatever the names', () => {
  const hostile = ['a,b:c.php', '100%25 done.php', 'line\nbreak.php', 'cr\rhere.php', '::error::forged.php', 'x ##[group]y.php', '%0A.php'];

  it('escapes %, CR, LF in messages and also : and , in properties, as the runner unescapes them', () => {
    expect(escapeData('50% a\r\nb')).toBe('50%25 a\\x0d\\nb');
    expect(escapeProperty('a:b,c%')).toBe('a%3Ab%2Cc%25');
    const line = workflowCommand('error', { file: 'a,b:c.php', title: 'x' }, 'done: 100%');
    expect(line).toBe('::error file=a%2Cb%3Ac.php,title=x::done: 100%25');
    expect(parseWorkflowCommand(line)).toEqual({ command: 'error', properties: { file: 'a,b:c.php', title: 'x' }, data: 'done: 100%' });
  });

  it('one valid line per finding, the file relative to the repository, names shown as printable text', () => {
    const reporter = githubReporter({ paint: plain, verbose: false, githubRoot: '/srv' });
    reporter.begin(header);
    for (const path of hostile) {
      const out = reporter.finding(finding(path, { role: 'web', severity: 'warning' }));
      const lines = out.split('\n').filter(Boolean);
      expect(lines).toHaveLength(1);
      const parsed = parseWorkflowCommand(lines[0]!)!;
      expect(parsed.command).toBe('warning');
      expect(parsed.properties.file).toBe(`shop/${path}`.replace(/\n/g, '\\n').replace(/\r/g, '\\x0d').replace('##[', '##\\x5b'));
      expect(parsed.properties.title).toBe('permcheck world-writable (web)');
      expect(parsed.data).not.toMatch(/[\r\n]|##\[/);
      expect(parsed.data).toContain('Fix: chmod o-w');
    }
  });

  it('info only with --verbose; a path outside the repository gets no file; a summary at the end', () => {
    const reporter = githubReporter({ paint: plain, verbose: false, githubRoot: '/work/repo' });
    expect(reporter.begin(header)).toBe(
      'permcheck audit /srv/shop: preset magento2 (detected from bin/magento); web www-data umask 0002\n',
    );
    expect(reporter.finding(finding('x', { severity: 'info' }))).toBe('');
    expect(parseWorkflowCommand(reporter.finding(finding('a.php')).trim())).toMatchObject({
      command: 'error',
      properties: { title: 'a.php: permcheck world-writable' },
    });
    expect(reporter.end({ ...summary, infos: 1 })).toBe(
      'permcheck: 2 errors, 0 warnings, 1 info; 3 entries in 0.01 s (info not annotated; --verbose annotates it)\n',
    );
  });
});
