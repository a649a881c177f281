import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCliJson } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { buildTree, pick, random, type EntrySpec } from '../helpers/tree.js';
import { CRON, DEPLOY, hasSetpriv, isRoot, ROOT_USER, runAs, VIEWER, WEB, writeUserFiles, type TestUser } from '../helpers/users.js';
import { describeNeeding, NEEDS_ROOT } from '../helpers/needs.js';

const PROBE = fileURLToPath(new URL('../helpers/reality-probe.mjs', import.meta.url));
const UMASKS = [0o000, 0o002, 0o007, 0o022, 0o027, 0o077];
const LOST = ['read', 'write', 'create-inside', 'delete'];

interface Actor {
  role: string;
  user: TestUser;
  level: 'read' | 'write';
}

const ACTORS: Actor[] = [
  { role: 'web', user: WEB, level: 'write' },
  { role: 'cli', user: DEPLOY, level: 'write' },
  { role: 'cron', user: CRON, level: 'write' },
  { role: 'admin', user: ROOT_USER, level: 'write' },
  { role: 'viewer', user: VIEWER, level: 'read' },
];

/** Directories side by side under the root, with the owners, groups, setgid and sticky bits of real trees. */
function directories(seed: number): EntrySpec[] {
  const next = random(seed);
  const modes = [
    0o777, 0o775, 0o770, 0o2770, 0o2775, 0o2777, 0o1777, 0o3777, 0o1770, 0o3770, 0o755, 0o2755, 0o730, 0o2730, 0o733, 0o711, 0o3775,
  ];
  const owners = [0, DEPLOY.uid, WEB.uid, CRON.uid];
  const groups = [0, 21100, 21200, 21001, 21002];
  return Array.from({ length: 26 }, (_, i) => ({
    path: `d${String(i).padStart(2, '0')}`,
    type: 'dir' as const,
    mode: pick(next, modes),
    uid: pick(next, owners),
    gid: pick(next, groups),
  }));
}

const hasSetfacl = spawnSync('setfacl', ['--version']).status === 0;
if (!hasSetfacl) console.warn('default-ACL creation tests skipped: setfacl (Debian package acl) is missing');
const PERMS = ['---', 'r--', 'rw-', 'r-x', 'rwx', '-wx'];
const REQUESTS = [
  { fileMode: 0o666, dirMode: 0o777 },
  { fileMode: 0o640, dirMode: 0o750 },
  { fileMode: 0o600, dirMode: 0o700 },
  { fileMode: 0o660, dirMode: 0o770 },
  { fileMode: 0o644, dirMode: 0o755 },
];
const octal = (request: { fileMode: number; dirMode: number }) => ({
  file: request.fileMode.toString(8).padStart(4, '0'),
  dir: request.dirMode.toString(8).padStart(4, '0'),
});

/**
 * Random default ACLs (owner, group, other, named users and groups of the roles, a mask or none) on
 * most directories, and a few access ACLs, with the real setfacl.
 */
function applyDefaultAcls(root: string, dirs: readonly EntrySpec[], seed: number): void {
  const next = random(seed);
  const lines: string[] = [];
  for (const dir of dirs) {
    if (next() < 0.25) continue;
    const spec = [`u::${pick(next, ['rwx', 'rw-', 'r-x'])}`, `g::${pick(next, PERMS)}`, `o::${pick(next, PERMS)}`];
    for (const user of [WEB, DEPLOY, CRON, VIEWER]) if (next() < 0.4) spec.push(`u:${user.uid}:${pick(next, PERMS)}`);
    for (const gid of [21100, 21200, 21001]) if (next() < 0.3) spec.push(`g:${gid}:${pick(next, PERMS)}`);
    if (spec.length > 3 || next() < 0.3) spec.push(`m::${pick(next, PERMS)}`);
    lines.push(`setfacl -d --set '${spec.join(',')}' '${join(root, dir.path)}'`);
    if (next() < 0.2) lines.push(`setfacl -m 'u:${pick(next, [WEB, DEPLOY, CRON]).uid}:rwx' '${join(root, dir.path)}'`);
  }
  execFileSync('bash', ['-ec', lines.join('\n')]);
}

describeNeeding({ [NEEDS_ROOT.setpriv]: isRoot, 'setpriv (Debian package util-linux)': hasSetpriv() })(
  'cross-context agrees with what really happens',
  () => {
    const tmp = makeTempDir('permcheck-reality-');
    afterAll(() => tmp.cleanup());
    let users: { passwd: string; group: string };
    let probe: string;

    beforeAll(() => {
      users = writeUserFiles(tmp.path);
      probe = join(tmp.path, 'probe.mjs');
      copyFileSync(PROBE, probe);
    });

    const rotations = [
      ...UMASKS.map((_, k) => ({ k, acl: false })),
      // Default ACLs replace the umask for what is created in them; named entries follow the mask.
      ...(hasSetfacl ? UMASKS.map((_, k) => ({ k, acl: true })) : []),
    ];
    it.each(rotations)(
      'umask rotation $k (default ACLs: $acl): permcheck reports (D, A, B) exactly when B fails at what A created',
      ({ k, acl }) => {
        const umaskOf = (i: number) => UMASKS[(k + i) % UMASKS.length]!;
        // Code asks for other modes than 0666/0777 too (open(…, 0600) leaves named entries a mask of ---).
        const requestOf = (i: number) => REQUESTS[(k + 2 * i) % REQUESTS.length]!;
        const root = join(tmp.path, `rot${k}${acl ? '-acl' : ''}`);
        const dirs = directories(4711 + k);
        buildTree(root, [{ path: '.', type: 'dir', mode: 0o755, uid: 0, gid: 0 }, ...dirs]);
        if (acl) applyDefaultAcls(root, dirs, 90210 + k);
        const config = join(tmp.path, `config${k}.json`);
        writeFileSync(
          config,
          JSON.stringify({
            roles: Object.fromEntries(
              ACTORS.map((a, i) => [
                a.role,
                { user: a.user.name, umask: umaskOf(i).toString(8).padStart(4, '0'), ...(acl ? { create: octal(requestOf(i)) } : {}) },
              ]),
            ),
            paths: [{ match: 'd*/**', access: Object.fromEntries(ACTORS.map((a) => [a.role, a.level])) }],
          }),
        );
        const { json } = runCliJson([
          'audit',
          root,
          '--format',
          'json',
          '--config',
          config,
          '--passwd',
          users.passwd,
          '--group',
          users.group,
        ]);
        const predicted = new Map<string, string[]>();
        for (const f of json.findings) if (f.rule === 'cross-context') predicted.set(`${f.path} ${f.creator} ${f.role}`, f.lost);

        // As each creator, under its umask: a file and a directory for every other role to try.
        const created = new Set<string>();
        ACTORS.forEach((creator, i) => {
          // Only a role the policy lets write there is a creator.
          if (creator.level !== 'write') return;
          const items = dirs.flatMap((d) =>
            ACTORS.map((b) => ({
              key: `${d.path} ${creator.role} ${b.role}`,
              file: join(root, d.path, `f-${creator.role}-${b.role}`),
              dir: join(root, d.path, `n-${creator.role}-${b.role}`),
            })),
          );
          const ok: boolean[] = JSON.parse(
            runAs(creator.user, process.execPath, [probe], {
              input: JSON.stringify({ mode: 'create', umask: umaskOf(i), ...(acl ? requestOf(i) : {}), items }),
            }),
          );
          items.forEach((item, n) => ok[n] && created.add(item.key));
        });

        const disagreements: string[] = [];
        let compared = 0;
        let failures = 0;
        for (const b of ACTORS) {
          const items = dirs.flatMap((d) =>
            ACTORS.filter((a) => a !== b && created.has(`${d.path} ${a.role} ${b.role}`)).map((a) => ({
              key: `${d.path} ${a.role} ${b.role}`,
              file: join(root, d.path, `f-${a.role}-${b.role}`),
              dir: join(root, d.path, `n-${a.role}-${b.role}`),
              writes: b.level === 'write',
              parent: join(root, d.path),
            })),
          );
          // A role that cannot enter the directory at all is traverse-denied's, not a prediction.
          const reach: boolean[] = JSON.parse(
            runAs(b.user, process.execPath, [
              '-e',
              `const fs=require('fs');process.stdout.write(JSON.stringify(${JSON.stringify(items.map((i) => i.parent))}.map(p=>{try{fs.accessSync(p,fs.constants.X_OK);return true}catch{return false}})))`,
            ]),
          );
          const lost: number[] = JSON.parse(runAs(b.user, process.execPath, [probe], { input: JSON.stringify({ mode: 'use', items }) }));
          items.forEach((item, n) => {
            const kernel = LOST.filter((_, bit) => lost[n]! & (1 << bit));
            const model = predicted.get(item.key) ?? [];
            if (!reach[n]) {
              if (model.length) disagreements.push(`${item.key}: predicted ${model} but ${b.role} cannot even enter the directory`);
              return;
            }
            compared++;
            if (kernel.length) failures++;
            if (kernel.join() !== model.join()) disagreements.push(`${item.key}: kernel lost [${kernel}], permcheck [${model}]`);
          });
        }
        // Creations that never happened must not be predicted either.
        for (const key of predicted.keys())
          if (!created.has(key)) disagreements.push(`${key}: predicted, but the creator could not create there`);
        expect(disagreements).toEqual([]);
        expect(compared).toBeGreaterThan(100);
        expect(failures).toBeGreaterThan(10);
        expect(existsSync(root)).toBe(true);
      },
    );
  },
);
