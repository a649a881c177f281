import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Help } from 'commander';
import { describe, expect, it } from 'vitest';
import { helpTopic } from '../../src/cli.js';
import type { CommandContext } from '../../src/commands/context.js';
import { COMMANDS } from '../../src/commands/index.js';
import { BIN, runCli } from '../helpers/cli.js';

const MODULE_LOG = fileURLToPath(new URL('../helpers/module-log.mjs', import.meta.url));

/**
 * The modules of permcheck (as in dist/: 'commands/explain.js') and the packages a run of the built CLI
 * loaded. The executable runs the bundle (dist/bundle/): each chunk it loaded stands for the modules
 * its source map lists.
 */
function loaded(args: string[]): { dist: string[]; packages: string[] } {
  const run = spawnSync(process.execPath, ['--import', MODULE_LOG, BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  const files = run.stderr
    .split('\n')
    .filter((line) => line.startsWith('module: file://'))
    .map((line) => fileURLToPath(line.slice('module: '.length)));
  expect(
    files.some((file) => file.includes('/dist/bundle/')),
    'the executable runs the bundle',
  ).toBe(true);
  const modules = files.flatMap((file) => {
    if (!file.includes('/dist/bundle/')) return [file];
    // The bundler's own helpers have no source map: none of permcheck's modules is in them.
    if (!existsSync(`${file}.map`)) return [];
    const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] };
    return map.sources.map((source) => resolve(dirname(file), source));
  });
  return {
    dist: [
      ...new Set(modules.filter((path) => path.includes('/dist/')).map((path) => path.slice(path.lastIndexOf('/dist/') + '/dist/'.length))),
    ],
    packages: [
      ...new Set(modules.filter((path) => path.includes('/node_modules/')).map((path) => path.split('/node_modules/')[1]!.split('/')[0]!)),
    ],
  };
}

const TOP_HELP = `Usage: permcheck [options] [command]

Audit file modes and owners of a web application for the web, CLI and cron
users.

Options:
  -V, --version               print the version
  --no-color                  no colours (also when NO_COLOR is set or output is
                              not a terminal)
  -h, --help                  display help for command

Commands:
  audit [options] [dir]       audit the modes and owners of a project tree for
                              the web, CLI and cron users
  fix [options] [dir]         apply the plan the audit prints: change owners,
                              groups and modes through checked descriptors, then
                              audit again
  access [options] <path...>  show who can read, write, enter and delete paths,
                              and why not
  explain [options] [umask]   show what a umask does to new files and
                              directories, and who may then use them
  init [options] [dir]        write a commented permcheck.config.json with the
                              detected preset and users
  roles [options] [dir]       show the roles of an application as permcheck uses
                              them: users, groups, umasks, and where each was
                              found
  help [command]              display help for command
`;

describe('start-up: commands load only when they run', () => {
  it('--help lists every command as before, without loading any of them', () => {
    const result = runCli(['--help']);
    expect(result).toMatchObject({ code: 0, stdout: TOP_HELP, stderr: '' });
    expect(runCli(['help']).stdout).toBe(TOP_HELP);
    expect(loaded(['--help']).dist.filter((module) => module.startsWith('commands/') && module !== 'commands/index.js')).toEqual([]);
  });

  it('--version loads commander and nothing of the commands', () => {
    expect(runCli(['--version'])).toMatchObject({ code: 0, stdout: /^\d+\.\d+\.\d+\n$/ });
    const { dist, packages } = loaded(['--version']);
    expect(packages).toEqual(['commander']);
    expect(dist.filter((module) => /^(commands|audit|policy|explain|mode)\//.test(module) && module !== 'commands/index.js')).toEqual([]);
  });

  it('explain UMASK loads neither the config (zod) nor the audit, nor chalk when output is piped', () => {
    const { dist, packages } = loaded(['explain', '027']);
    expect(packages).toEqual(['commander']);
    expect(dist).toContain('commands/explain.js');
    expect(dist.filter((module) => /^(audit|policy|project|reporters|rules|walk|discover|users)\//.test(module))).toEqual([]);
  });

  it.each(Object.keys(COMMANDS))('help %s and %s --help print the same, complete help', (name) => {
    const asked = runCli(['help', name]);
    const flag = runCli([name, '--help']);
    expect(asked.code).toBe(0);
    expect(asked.stdout).toBe(flag.stdout);
    expect(asked.stdout).toMatch(new RegExp(`^Usage: permcheck ${name} \\[options\\]`));
    expect(asked.stdout).toContain(`\n${COMMANDS[name]!.description.slice(0, 40)}`);
    expect(asked.stdout).toContain('\nOptions:\n');
  });
});

describe('the command table', () => {
  const ctx = {} as CommandContext;

  it.each(Object.entries(COMMANDS))('%s: its usage in --help is what its full definition says', async (name, entry) => {
    const command = new Command(name).description(entry.description);
    (await entry.load())(command, ctx);
    expect(`${name} ${entry.usage}`).toBe(new Help().subcommandTerm(command));
  });

  it('finds the topic of `permcheck help NAME`', () => {
    expect(helpTopic(['help', 'audit'])).toBe('audit');
    expect(helpTopic(['--no-color', 'help', 'fix'])).toBe('fix');
    expect(helpTopic(['audit', 'help'])).toBeUndefined();
    expect(helpTopic(['help'])).toBeUndefined();
  });
});
