import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { judgeSecretText } from '../../src/secret/content.js';
import { wordList } from '../../src/text/word-list.js';

const php = (code: string) => judgeSecretText('wp-config.php', `<?php\n${code}\n`);
const env = (text: string) => judgeSecretText('.env', text);

describe('what a secret-marked file holds, by its text', () => {
  it('WordPress: define() of a credential with a literal is a secret; names only, never the value', () => {
    const judged = php(
      "define( 'DB_NAME', 'wp' );\ndefine('DB_PASSWORD', 'hunter2');\ndefine(\"AUTH_KEY\", 'k,e;y)');\ndefine('NONCE_SALT', 'x');",
    );
    expect(judged).toEqual({ kind: 'credentials', keys: ['DB_PASSWORD', 'AUTH_KEY', 'NONCE_SALT'] });
    expect(JSON.stringify(judged)).not.toContain('hunter2');
  });

  it('empty credentials and credentials in comments do not count', () => {
    expect(
      php("define('DB_PASSWORD', '');\n// define('AUTH_KEY', 'x');\n/* 'password' => 'y' */\n# $secret = 'z';\nrequire 'other.php';"),
    ).toEqual({
      kind: 'none',
      includes: ['other.php'],
    });
    expect(php("define('DB_PASSWORD', null); $key = false; $x = ['token' => []];").kind).toBe('unknown');
  });

  it('Magento env.php and Drupal settings.php: array keys and element assignments', () => {
    const magento = judgeSecretText(
      'env.php',
      "<?php return ['crypt' => ['key' => 'base64:abc'], 'db' => ['connection' => ['default' => ['host' => 'localhost', 'password' => 'p']]]];",
    );
    expect(magento).toEqual({ kind: 'credentials', keys: ['key', 'password'] });
    const drupal = judgeSecretText(
      'settings.php',
      "<?php\n$databases['default']['default']['password'] = 'p';\n$settings['hash_salt'] = 'salt';\n$settings['file_chmod_file'] = 0664;",
    );
    expect(drupal).toEqual({ kind: 'credentials', keys: ['password', 'hash_salt'] });
  });

  it('a DSN with a password counts whatever its key', () => {
    expect(php("define('DATABASE_URL', 'mysql://app:pw@db/app');")).toEqual({ kind: 'credentials', keys: ['DATABASE_URL'] });
    expect(php("define('DATABASE_URL', 'mysql://db/app'); require __DIR__ . '/local.php';")).toEqual({
      kind: 'none',
      includes: ["__DIR__ . '/local.php'"],
    });
  });

  it('a stub that only includes other files is not a secret: its includes are named as written', () => {
    expect(
      php("require_once('/etc/wordpress/config-' . $host . '.php');\ninclude_once $file;\nrequire ABSPATH . 'wp-settings.php';"),
    ).toEqual({
      kind: 'none',
      includes: ["'/etc/wordpress/config-' . $host . '.php'", '$file', "ABSPATH . 'wp-settings.php'"],
    });
  });

  it("Debian's wp-config.php stub: no credential, four includes", () => {
    const stub = '/usr/share/wordpress/wp-config.php';
    if (!existsSync(stub)) return;
    expect(judgeSecretText('wp-config.php', readFileSync(stub, 'utf8'))).toEqual({
      kind: 'none',
      includes: ['$debian_file', '$debian_main_file', '/etc/wordpress/config-default.php', "ABSPATH . 'wp-settings.php'"],
    });
  });

  it('PHP that cannot be read to the end, or that neither defines nor includes, leaves it to the path', () => {
    expect(php("define('DB_PASSWORD', 'unterminated);").kind).toBe('unknown');
    expect(php('/* never closed').kind).toBe('unknown');
    // A credential before a heredoc or string that never ends: the file is not PHP that can be judged.
    expect(php("define('DB_PASSWORD', 'x');\n$x = <<<EOT\nabc\n").kind).toBe('unknown');
    expect(php(`define('DB_PASSWORD', 'x');\n$x = "never closed {$y}`).kind).toBe('unknown');
    expect(judgeSecretText('env.php', '').kind).toBe('unknown');
    expect(php("echo 'hello';").kind).toBe('unknown');
  });

  it('heredocs and strings with PHP-looking text are strings', () => {
    expect(php("$x = <<<EOT\ndefine('DB_PASSWORD', 'x');\nEOT;\nrequire 'a.php';")).toEqual({ kind: 'none', includes: ['a.php'] });
    expect(php("$note = \"require 'b.php'; // \\\" still a string\"; require 'a.php';")).toEqual({ kind: 'none', includes: ['a.php'] });
  });

  it('.env: a credential-like key with a value is a secret; one without, or other keys only, is not', () => {
    expect(env('APP_ENV=prod\nAPP_KEY=base64:abc\nDB_PASSWORD="p w" # note\nexport MAIL_TOKEN=t\n')).toEqual({
      kind: 'credentials',
      keys: ['APP_KEY', 'DB_PASSWORD', 'MAIL_TOKEN'],
    });
    expect(env('# committed defaults\nAPP_ENV=dev\nAPP_SECRET=\nDB_PASSWORD=""\nMAIL_PASSWORD=null\nMAILER_DSN=null://null\n')).toEqual({
      kind: 'none',
      includes: [],
    });
    expect(env('DATABASE_URL="postgresql://app:!ChangeMe!@127.0.0.1:5432/app"\n')).toEqual({ kind: 'credentials', keys: ['DATABASE_URL'] });
    expect(env('JWT_PASSPHRASE=x\nJWT_KEY="-----BEGIN KEY-----\nabc\n-----END KEY-----"\nAPP_ENV=prod\n')).toEqual({
      kind: 'credentials',
      keys: ['JWT_PASSPHRASE', 'JWT_KEY'],
    });
  });

  it('.env that is empty or not KEY=VALUE leaves it to the path', () => {
    expect(env('')).toEqual({ kind: 'unknown', why: 'it sets nothing' });
    expect(env('APP_ENV=prod\nthis is not dotenv\n')).toEqual({ kind: 'unknown', why: 'line 2 is not KEY=VALUE' });
    expect(env('KEY="never closed\n')).toEqual({ kind: 'unknown', why: 'a quote opened on line 1 is not closed' });
  });

  it('other formats (auth.json, a PEM key) are left to the path', () => {
    expect(judgeSecretText('auth.json', '{}').kind).toBe('unknown');
    expect(judgeSecretText('private.pem', '-----BEGIN').kind).toBe('unknown');
  });

  it('names in words', () => {
    expect(wordList(['A'], 2)).toBe('A');
    expect(wordList(['A', 'B', 'C'], 2)).toBe('A, B and C');
    expect(wordList(['A', 'B', 'C', 'D', 'E'], 2)).toBe('A, B and 3 more');
  });
});
