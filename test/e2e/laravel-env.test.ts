import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditFindings, runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { hasSetpriv, isRoot } from '../helpers/users.js';
import { hostAccount } from '../helpers/attacker.js';

/**
 * Laravel loads .env.{APP_ENV} when APP_ENV is set, and copies of .env lie beside it (.env.backup):
 * each holds APP_KEY and the database password. The preset knew only .env and .env.*.local, so
 * a world-readable .env.production gave a clean audit while any local user could read the password.
 */
const nobody = hostAccount('nobody');
const ready = isRoot && hasSetpriv() && nobody !== undefined && hostAccount('www-data') !== undefined;
const why = ready ? '' : ' (skipped: needs root, setpriv and the accounts nobody and www-data)';
const roles = ['--no-discover', '--web-user', 'www-data', '--cli-user', 'root'];
const SECRET = 'APP_KEY=base64:c2VjcmV0LWtleS1mb3ItdGhlLXRlc3Qtb25seS0xMjM0NTY=\nDB_PASSWORD=hunter2-prod\n';

interface Finding {
  rule: string;
  severity: string;
  path: string;
}

const readsAs = (uid: number, gid: number, path: string) =>
  spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--init-groups', '--', 'cat', path], { stdio: 'ignore' }).status === 0;

describe.skipIf(!ready)(`Laravel's other env files${why}`, () => {
  const tmp = makeTempDir('permcheck-laravel-env-');
  afterAll(() => tmp.cleanup());

  it('are secrets when they hold credentials (.env.production, .env.backup); the template and env:encrypt output are not', () => {
    const app = join(tmp.path, 'app');
    mkdirSync(join(app, 'bootstrap'), { recursive: true });
    writeFileSync(join(app, 'artisan'), '<?php\n');
    writeFileSync(join(app, 'bootstrap/app.php'), '<?php\n');
    const files: Record<string, string> = {
      '.env': SECRET,
      '.env.production': SECRET,
      '.env.backup': SECRET,
      '.env.example': 'APP_KEY=\nDB_PASSWORD=\n',
      '.env.encrypted': 'eyJpdiI6IkxxZ3JwZ2F4OVh0RmNUeUk2R1E9PSIsInZhbHVlIjoi\n',
    };
    for (const [name, text] of Object.entries(files)) {
      writeFileSync(join(app, name), text);
      chmodSync(join(app, name), 0o644);
    }
    chmodSync(join(app, '.env'), 0o640);
    // The kernel says what the audit must: any local user reads the copies.
    expect(readsAs(nobody!.uid, nobody!.gid, join(app, '.env.production'))).toBe(true);
    const errors = auditFindings<Finding>(app, roles).filter((f) => f.rule === 'secret-exposed' && f.severity === 'error');
    expect(errors.map((f) => f.path).sort()).toEqual(['.env.backup', '.env.production']);
    // Fixed, nobody reads them; the web user still does (Laravel reads the file it is told to).
    const fixed = runCli(['fix', app, ...roles, '--yes', '--journal', join(tmp.path, 'undo.jsonl')]);
    expect(fixed.stderr).toBe('');
    for (const name of ['.env.production', '.env.backup']) {
      expect(readsAs(nobody!.uid, nobody!.gid, join(app, name)), name).toBe(false);
      expect(readsAs(33, 33, join(app, name)), name).toBe(true);
    }
  });
});
