import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/policy/load.js';

const FILE = 'permcheck.config.json';

function errorOf(text: string): string {
  try {
    parseConfig(text, FILE);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a config error');
}

describe('parseConfig', () => {
  it('accepts the documented example, with comments and trailing commas', () => {
    const config = parseConfig(
      `{
        // start from a preset
        "preset": "magento2",
        "umask": "0022",
        "roles": { "web": { "user": "www-data", "umask": "0002" }, "cli": { "user": "deploy" }, "cron": { "user": "deploy" } },
        "paths": [
          { "match": "**", "access": { "web": "read", "cli": "write", "cron": "read", "others": "none" } },
          { "match": ["var/**", "generated/**"], "access": { "web": "write", "cron": "write" } },
          { "match": "app/etc/env.php", "secret": true, "access": { "others": "none" } },
        ],
        "ignore": ["node_modules/**"],
        "rules": { "mode-drift": "off" }
      }`,
      FILE,
    );
    expect(config.paths).toHaveLength(3);
    expect(config.rules).toEqual({ 'mode-drift': 'off' });
  });

  it.each([
    ['{"roles": {"web": {"user": "x", "umsk": "0022"}}}', `${FILE}: roles.web.umsk: unknown key (known: user, groups, umask, create)`],
    ['{"roles": {"web": {"user": "x", "umask": 22}}}', `${FILE}: roles.web.umask: must be a string such as "0022"`],
    ['{"umask": "1022"}', `${FILE}: umask: umask '1022' is out of range (0000-0777)`],
    ['{"roles": {"web": {"umask": "0002"}}}', `${FILE}: roles.web.user: missing: a role in the config names its user`],
    ['{"roles": {"web": {"user": true}}}', `${FILE}: roles.web.user: must be a user name or a numeric uid`],
    ['{"paths": [{"match": "a[b"}]}', `${FILE}: paths[0].match: glob 'a[b' is not a valid glob`],
    ['{"paths": [{"match": ["ok/**", "/etc/**"]}]}', `${FILE}: paths[0].match[1]: glob '/etc/**' is absolute`],
    ['{"paths": [{"match": "**", "access": {"web": "rw"}}]}', `${FILE}: paths[0].access.web: Invalid option`],
    ['{"paths": [{"match": "**", "access": {"queue": "read"}}]}', `${FILE}: paths[0].access.queue: unknown role 'queue'`],
    [
      '{"paths": [{"match": "up/**", "create": {"file": {"moved": ["web", "queue"]}}}]}',
      `${FILE}: paths[0].create.file.moved[1]: unknown role 'queue'`,
    ],
    [
      '{"paths": [{"match": "up/**", "create": {"file": {"moved": "web"}}}]}',
      `${FILE}: paths[0].create.file: must be an octal mode (what the code requests), "inherit", or an object with request, chmod, umask, moved`,
    ],
    ['{"roles": {"others": {"user": "x"}}}', `${FILE}: roles.others: 'others' is reserved`],
    ['{"rules": {"nope": "error"}}', `${FILE}: rules.nope: unknown key (known: access-denied,`],
    ['{"preset": "joomla"}', `${FILE}: preset: Invalid option`],
    ['[1]', `${FILE}: the configuration must be a JSON object`],
  ])('%s', (text, message) => {
    expect(errorOf(text)).toContain(message);
  });

  it('accepts a byte order mark and says when the file is empty', () => {
    expect(parseConfig('\ufeff{ "umask": "0022" }', FILE)).toEqual({ umask: '0022' });
    expect(errorOf('  \n')).toBe(`${FILE}: the configuration is empty; write {} or run permcheck init`);
  });

  it('names the line and column of a syntax error', () => {
    expect(errorOf('{\n  "umask": "0022"\n  "roles": {}\n}')).toBe(
      `${FILE}:2:18: not valid JSON: a comma is missing after this value (the next one is at line 3)`,
    );
  });

  // Failed: a comma missing at the end of a line was reported at the next value, after the comments between.
  it('says where a missing comma belongs, past comments', () => {
    const text = '{\n  "roles": {\n    "web": { "user": "www-data" }\n  }\n  // a comment\n  // another\n\n  "paths": []\n}\n';
    expect(errorOf(text)).toBe(`${FILE}:4:4: not valid JSON: a comma is missing after this value (the next one is at line 8)`);
  });

  it('gives one line per problem', () => {
    expect(errorOf('{"umask": 1, "roles": {"web": {"usr": "x"}}}').split('\n')).toHaveLength(3);
  });
});
