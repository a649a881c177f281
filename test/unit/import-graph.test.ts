import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { folderCycles, folderOf, importsUnder, sourceFiles } from '../helpers/import-graph.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

/**
 * Imports that still close a loop, each with who removes it. An entry may go once its loop is gone;
 * no new one may come.
 */
const KNOWN: readonly { from: string; to: string; why: string }[] = [
  {
    from: 'reporters/json.ts',
    to: 'audit/job.ts',
    why: 'JSON_SEPARATOR belongs to the reporters: the reporters rewrite (JSON and SARIF as values) moves it',
  },
  { from: 'reporters/sarif.ts', to: 'audit/job.ts', why: 'as above' },
];

describe('the import graph of src/', () => {
  const imports = importsUnder(SRC);

  it('has no cycles between folders: a folder only imports folders below it', () => {
    const known = (from: string, to: string) => KNOWN.some((k) => k.from === from && k.to === to);
    const cycles = folderCycles(imports.filter(({ from, to }) => !known(from, to))).map(
      ({ folders, imports }) => `${folders.join(' <-> ')}:\n${imports.map(({ from, to }) => `  ${from} -> ${to}`).join('\n')}`,
    );
    expect(cycles).toEqual([]);
  });

  it('sees the imports it checks (static, type-only and dynamic)', () => {
    const has = (from: string, to: string) => imports.some((i) => i.from === from && i.to === to);
    expect(has('cli.ts', 'commands/index.ts')).toBe(true);
    expect(has('commands/index.ts', 'commands/audit.ts')).toBe(true);
    expect(has('rules/contract.ts', 'policy/compile.ts')).toBe(true);
    expect(folderOf('policy/presets/magento2.ts')).toBe('policy/');
    expect(folderOf('cli.ts')).toBe('cli.ts');
  });

  it('finds a loop round three folders, with the imports that close it', () => {
    const loop = [
      { from: 'a/x.ts', to: 'b/y.ts' },
      { from: 'b/y.ts', to: 'c/z.ts' },
      { from: 'c/z.ts', to: 'a/w.ts' },
      { from: 'c/z.ts', to: 'd/v.ts' },
    ];
    expect(folderCycles(loop)).toEqual([{ folders: ['a/', 'b/', 'c/'], imports: loop.slice(0, 3) }]);
  });
});

describe('model folders', () => {
  // They take plain data and return plain data: files and processes are read at the edges
  // (walk/, users/, project/, discover/, commands/).
  const MODEL = ['access/', 'acl/', 'mode/', 'predict/', 'policy/', 'plan/', 'change/', 'rules/'];
  const IO = /from ['"]node:(fs|fs\/promises|child_process|os|worker_threads)['"]|\bprocess\.(?!env\b)/;

  it('do no file or process I/O', () => {
    const files = sourceFiles(SRC).filter((file) => MODEL.includes(folderOf(file)));
    expect(files.length).toBeGreaterThan(40);
    const offenders = files.filter((file) =>
      readFileSync(join(SRC, file), 'utf8')
        .split('\n')
        .some((line) => !/^\s*(\/\/|\*|\/\*)/.test(line) && !/^import type /.test(line) && IO.test(line)),
    );
    expect(offenders).toEqual([]);
  });
});
