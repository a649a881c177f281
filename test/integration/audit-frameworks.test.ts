import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliJson } from '../helpers/cli.js';
import {
  DEPLOY,
  laravelTree,
  magentoTree,
  plant,
  ROLES_CONFIG,
  SHARED_UMASK_CONFIG,
  WEB,
  wordpressTree,
  WWW,
} from '../helpers/frameworks.js';
import { makeTempDir } from '../helpers/tmp.js';
import { buildTree, type EntrySpec } from '../helpers/tree.js';
import { isRoot, writeUserFiles } from '../helpers/users.js';

interface Report {
  preset: string;
  presetSource: string;
  summary: { entries: number; errors: number; warnings: number; infos: number };
  findings: {
    rule: string;
    severity: string;
    path: string;
    role?: string;
    message: string;
    fix?: string;
    advice?: string;
    entries: number;
  }[];
}

describe.skipIf(!isRoot)('audit on framework trees (real owners and modes)', () => {
  const tmp = makeTempDir('permcheck-frameworks-');
  afterAll(() => tmp.cleanup());
  let users: { passwd: string; group: string };
  let config: string;
  let sharedUmask: string;
  let count = 0;

  beforeAll(() => {
    users = writeUserFiles(tmp.path);
    // Roles only: the preset comes from detection, as with no config at all.
    config = join(tmp.path, 'roles.json');
    writeFileSync(config, JSON.stringify(ROLES_CONFIG));
    sharedUmask = join(tmp.path, 'shared-umask.json');
    writeFileSync(sharedUmask, JSON.stringify(SHARED_UMASK_CONFIG));
  });

  function audit(tree: EntrySpec[], extra: string[] = [], configFile = config): { code: number | null; report: Report } {
    const root = join(tmp.path, `tree${count++}`);
    buildTree(root, tree);
    const { result, json } = runCliJson<Report>([
      'audit',
      root,
      '--format',
      'json',
      '--config',
      configFile,
      '--passwd',
      users.passwd,
      '--group',
      users.group,
      // magento_umask and the like belong to deploy in these trees.
      '--trust',
      String(DEPLOY.uid),
      ...extra,
    ]);
    expect(result.stderr).toBe('');
    rmSync(root, { recursive: true, force: true });
    return { code: result.code, report: json };
  }

  const found = (report: Report, rule: string, path: string, role?: string) =>
    report.findings.find((f) => f.rule === rule && f.path === path && (role === undefined || f.role === role));

  describe('Magento 2', () => {
    it('passes the layout the docs recommend: no errors, exit 0, preset detected', () => {
      const { code, report } = audit(magentoTree());
      expect(report.preset).toBe('magento2');
      expect(report.presetSource).toBe('detected from bin/magento');
      expect(report.summary.errors).toBe(0);
      expect(report.summary.warnings).toBe(0);
      expect(report.summary.entries).toBe(magentoTree().length);
      expect(code).toBe(0);
    });

    it.each<[string, EntrySpec, string, string, string | undefined]>([
      [
        'a root-owned 0755 cache directory',
        { path: 'var/cache', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
        'access-denied',
        'var/cache',
        'web',
      ],
      ['a 0700 pub/', { path: 'pub', type: 'dir', mode: 0o700, uid: DEPLOY.uid, gid: WWW }, 'traverse-denied', 'pub', 'web'],
      ['a 0644 env.php', { path: 'app/etc/env.php', type: 'file', mode: 0o644 }, 'secret-exposed', 'app/etc/env.php', 'others'],
      [
        'a 0666 code file',
        { path: 'vendor/magento/framework/Url.php', type: 'file', mode: 0o666 },
        'world-writable',
        'vendor/magento/framework/Url.php',
        undefined,
      ],
      ['a setuid script', { path: 'bin/magento', type: 'file', mode: 0o4750 }, 'special-bit', 'bin/magento', undefined],
      [
        'a web-owned 0644 cache file the CLI user must write',
        { path: 'var/cache/mage--a', type: 'file', mode: 0o644, uid: WEB.uid, gid: WWW },
        'access-denied',
        'var/cache/mage--a',
        'cli',
      ],
    ])('reports %s as an error and exits 1', (_what, fault, rule, path, role) => {
      const { code, report } = audit(plant(magentoTree(), fault));
      const finding = found(report, rule, path, role);
      expect(finding, JSON.stringify(report.findings, null, 2)).toBeDefined();
      expect(finding!.severity).toBe('error');
      expect(finding!.fix).toBeTruthy();
      expect(code).toBe(1);
    });

    it('reports a group-writable vendor file as access-excess (warning): exit 0, or 1 with --fail-on warning', () => {
      const tree = plant(magentoTree(), { path: 'vendor/magento/framework/App.php', type: 'file', mode: 0o660 });
      const { code, report } = audit(tree);
      expect(found(report, 'access-excess', 'vendor/magento/framework/App.php', 'web')?.severity).toBe('warning');
      expect(code).toBe(0);
      expect(audit(tree, ['--fail-on', 'warning']).code).toBe(1);
    });

    it('reports every planted fault at once, each under its rule', () => {
      const { code, report } = audit(
        plant(
          magentoTree(),
          { path: 'var/cache', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
          { path: 'pub', type: 'dir', mode: 0o700, uid: DEPLOY.uid, gid: WWW },
          { path: 'app/etc/env.php', type: 'file', mode: 0o644 },
          { path: 'vendor/magento/framework/Url.php', type: 'file', mode: 0o666 },
          { path: 'bin/magento', type: 'file', mode: 0o4750 },
          { path: 'vendor/magento/framework/App.php', type: 'file', mode: 0o660 },
          { path: 'var/log/system.log', type: 'file', mode: 0o644, uid: WEB.uid, gid: WWW },
        ),
      );
      expect(code).toBe(1);
      const rules = new Set(report.findings.map((f) => f.rule));
      for (const rule of ['access-denied', 'traverse-denied', 'secret-exposed', 'world-writable', 'special-bit', 'access-excess'])
        expect(rules).toContain(rule);
      expect(found(report, 'access-denied', 'var/log/system.log', 'cli')).toBeDefined();
    });

    it('predicts cross-context breakage when PHP-FPM runs under umask 0022, and none under 0002 with the setgid shared group', () => {
      const fpm022 = join(tmp.path, 'fpm022.json');
      writeFileSync(fpm022, JSON.stringify({ roles: { ...ROLES_CONFIG.roles, web: { user: 'web', umask: '0022' } } }));
      const { code, report } = audit(magentoTree(), [], fpm022);
      const story = report.findings.filter((f) => f.rule === 'cross-context') as (Report['findings'][number] & {
        creator: string;
        lost: string[];
        predicted: { file: { mode: string } };
      })[];
      expect(story.map((f) => `${f.path} ${f.creator}->${f.role} ${f.lost}`).sort()).toEqual(
        ['generated', 'pub/media', 'pub/static', 'var'].flatMap((dir) => [
          `${dir} web->cli write,create-inside`,
          `${dir} web->cron write,create-inside`,
        ]),
      );
      expect(story[0]!.predicted.file.mode).toBe('0644');
      expect(story[0]!.advice).toContain('echo 002 > magento_umask');
      expect(code).toBe(1);
      // The docs' recipe: Magento's own umask 002 and setgid directories of the shared group.
      expect(audit(magentoTree()).report.findings.filter((f) => f.rule === 'cross-context')).toEqual([]);
    });

    it('takes the umask from magento_umask', () => {
      const tree = [
        ...magentoTree(),
        { path: 'magento_umask', type: 'file' as const, mode: 0o640, uid: DEPLOY.uid, gid: WWW, content: '027\n' },
      ];
      const { report } = audit(tree);
      // Under 027 writable directories (2770) are more permissive than 0750: mode-drift warnings.
      expect(report.findings.some((f) => f.rule === 'mode-drift' && f.severity === 'warning' && f.message.includes('0027'))).toBe(true);
    });
  });

  describe('Laravel', () => {
    it('passes its layout with a shared umask 002: no errors; detected from artisan', () => {
      const { code, report } = audit(laravelTree(), [], sharedUmask);
      expect(report.preset).toBe('laravel');
      expect(report.summary.errors).toBe(0);
      expect(code).toBe(0);
    });

    it('predicts, under the default umask 0022, that cli cannot change what web writes in storage/', () => {
      const { code, report } = audit(laravelTree());
      const finding = report.findings.find(
        (f) => f.rule === 'cross-context' && f.path === 'storage' && f.role === 'cli',
      ) as Report['findings'][number] & { creator: string; lost: string[] };
      expect(finding).toMatchObject({ creator: 'web', lost: ['write', 'create-inside'] });
      expect(code).toBe(1);
    });

    it('reports a log created by root that the web user cannot append to', () => {
      const { code, report } = audit(
        plant(laravelTree(), { path: 'storage/logs/laravel.log', type: 'file', mode: 0o644, uid: 0, gid: 0 }),
        [],
        sharedUmask,
      );
      expect(found(report, 'access-denied', 'storage/logs/laravel.log', 'web')).toBeDefined();
      expect(code).toBe(1);
    });

    it('reports a readable .env', () => {
      const { report } = audit(plant(laravelTree(), { path: '.env', type: 'file', mode: 0o644 }));
      expect(found(report, 'secret-exposed', '.env', 'others')?.severity).toBe('error');
    });
  });

  describe('WordPress', () => {
    it('passes its layout with a shared umask 002: no errors; detected from wp-config.php', () => {
      const { code, report } = audit(wordpressTree(), [], sharedUmask);
      expect(report.preset).toBe('wordpress');
      expect(report.summary.errors).toBe(0);
      expect(code).toBe(0);
    });

    it('reports uploads the web user cannot write, and a readable wp-config.php', () => {
      const { code, report } = audit(
        plant(
          wordpressTree(),
          { path: 'wp-content/uploads', type: 'dir', mode: 0o755, uid: DEPLOY.uid, gid: DEPLOY.gid },
          { path: 'wp-config.php', type: 'file', mode: 0o644 },
        ),
      );
      expect(found(report, 'access-denied', 'wp-content/uploads', 'web')).toBeDefined();
      expect(found(report, 'secret-exposed', 'wp-config.php', 'others')).toBeDefined();
      expect(code).toBe(1);
    });
  });
});
