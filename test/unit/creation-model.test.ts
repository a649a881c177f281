import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/policy/schema.js';
import { pathCreation, roleCreation } from '../../src/policy/creation.js';
import { predictCreated, type Creator } from '../../src/predict/created.js';
import { lostNames, predictLoss } from '../../src/predict/loss.js';
import { DEFAULT_CREATION, type PathCreation } from '../../src/predict/model.js';
import { findRemedy } from '../../src/predict/remedy.js';
import { dir } from '../helpers/model.js';
import { d, DEPLOY_ID, f, rule, settings, SHARED, SUBJECTS, virtualAudit } from '../helpers/virtual-walk.js';

const WWW = 33;
const web = (umask: number): Creator => ({ uid: 33, gid: 33, gids: [33], umask, create: DEFAULT_CREATION });
/** In the shared group, not its primary group: a setgid directory's group is one of its groups. */
const member = (umask: number): Creator => ({ uid: 44, gid: 44, gids: [44, WWW], umask, create: DEFAULT_CREATION });
const deploy = { uid: 1001, gids: [1001, WWW] };
const octal = (n: number) => n.toString(8).padStart(4, '0');
const modes = (created: ReturnType<typeof predictCreated>) => [octal(created.file.mode), octal(created.dir.mode)];

const parsePath = (create: unknown, update?: string): PathCreation | undefined => {
  const parsed = configSchema.parse({ paths: [{ match: 'x/**', create, ...(update ? { update } : {}) }] });
  return pathCreation(parsed.paths![0]!);
};

describe('the config: roles.NAME.create and paths[].create', () => {
  it('keeps the old form: a bare mode is what the code requests, narrowed by the umask', () => {
    const parsed = configSchema.parse({ roles: { queue: { user: 'q', create: { file: '0660', dir: '2770' } } } });
    const create = roleCreation(parsed.roles!.queue!.create);
    expect(create).toEqual({ file: { request: 0o660 }, directory: { request: 0o2770 } });
    expect(modes(predictCreated({ ...web(0o027), create }, dir(0o755)))).toEqual(['0640', '0750']);
  });

  it('reads chmod, "inherit", a mode less the umask, moved and update', () => {
    expect(parsePath({ file: { chmod: '0664' }, dir: { chmod: '0775' } })).toEqual({
      file: { request: 0o666, chmod: { mode: 0o664, lessUmask: false } },
      directory: { request: 0o777, chmod: { mode: 0o775, lessUmask: false } },
    });
    expect(parsePath({ file: { chmod: 'inherit', moved: true }, dir: 'inherit' })).toEqual({
      file: { request: 0o600, chmod: 'inherit', moved: true },
      directory: { request: 0o777, chmod: 'inherit' },
    });
    expect(parsePath({ file: { chmod: '0777 & ~umask' } }, 'replace')).toEqual({
      file: { request: 0o666, chmod: { mode: 0o777, lessUmask: true } },
      replace: true,
    });
    expect(parsePath(undefined, 'in-place')).toEqual({ replace: false });
    expect(parsePath(undefined)).toBeUndefined();
  });

  it('names the key and the forms it takes when a value is wrong', () => {
    const issues = (create: unknown) =>
      configSchema.safeParse({ paths: [{ match: 'x/**', create }] }).error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ file: 'rw-r--r--' })).toEqual(['paths.0.create.file: must be an octal mode the code requests ("0660") or "inherit"']);
    expect(issues({ file: { chmod: '0664 | umask' } })[0]).toMatch(/^paths\.0\.create\.file\.chmod: must be an octal mode \("0664"\)/);
    expect(issues({ dir: { moved: true } })[0]).toMatch(/^paths\.0\.create\.dir: Unrecognized key/);
    expect(issues({ file: 644 })[0]).toMatch(/^paths\.0\.create\.file: must be an octal mode \(what the code requests\), "inherit"/);
  });
});

describe('predictCreated under a creation model', () => {
  it('a chmod ignores the umask; on a directory it also clears the setgid bit the directory inherited', () => {
    const drupal = parsePath({ file: { chmod: '0664' }, dir: { chmod: '0775' } });
    for (const umask of [0o002, 0o022, 0o027, 0o077]) {
      const created = predictCreated(web(umask), dir(0o2775, 1001, WWW), drupal);
      expect(modes(created)).toEqual(['0664', '0775']);
      expect(created.dir.gid).toBe(WWW);
    }
  });

  it('chmod with setgid keeps it only for a member of the group (the kernel clears it for others)', () => {
    const setgid = parsePath({ dir: { chmod: '2775' } });
    expect(octal(predictCreated(member(0o022), dir(0o2775, 1001, WWW), setgid).dir.mode)).toBe('2775');
    expect(octal(predictCreated(web(0o022), dir(0o2775, 1001, 4242), setgid).dir.mode)).toBe('0775');
  });

  it("a mode less the umask is the umask's work without an ACL (Laravel's replace: 0777 - umask())", () => {
    const laravel = parsePath({ file: { chmod: '0777 & ~umask' } }, 'replace');
    expect(octal(predictCreated(web(0o022), dir(0o2775, 1001, WWW), laravel).file.mode)).toBe('0755');
    expect(octal(predictCreated(web(0o002), dir(0o2775, 1001, WWW), laravel).file.mode)).toBe('0775');
  });

  it("inherit (WordPress): directories take the parent's mode, setgid included; files its rw bits", () => {
    const wordpress = parsePath({ file: 'inherit', dir: 'inherit' });
    for (const umask of [0o002, 0o022, 0o027]) {
      const created = predictCreated(member(umask), dir(0o2775, 1001, WWW), wordpress);
      expect(modes(created)).toEqual(['0664', '2775']);
      expect(created.file.gid).toBe(WWW);
    }
    expect(modes(predictCreated(member(0o022), dir(0o750, 1001, WWW), wordpress))).toEqual(['0640', '0750']);
  });

  it('inherit under a umask that takes nothing away: no chmod, so setgid stays even for a non-member', () => {
    const wordpress = parsePath({ dir: 'inherit' });
    expect(octal(predictCreated(web(0o002), dir(0o2775, 1001, 4242), wordpress).dir.mode)).toBe('2775');
    // Under 022 wp_mkdir_p chmods, and the kernel drops setgid for a user outside group 4242.
    expect(octal(predictCreated(web(0o022), dir(0o2775, 1001, 4242), wordpress).dir.mode)).toBe('0775');
  });

  it("a moved-in file keeps its maker's group, whatever the setgid directory says", () => {
    const upload = parsePath({ file: { chmod: 'inherit', moved: true } });
    const created = predictCreated(member(0o022), dir(0o2775, 1001, WWW), upload);
    expect(created.file).toMatchObject({ mode: 0o664, gid: 44 });
    // Without a chmod, PHP's 0600 upload stays 0600.
    expect(octal(predictCreated(member(0o022), dir(0o2775, 1001, WWW), parsePath({ file: { moved: true } })).file.mode)).toBe('0600');
  });

  it('under a default ACL, the chmod rewrites the mask: named users lose what the group bits lack', () => {
    const parent = {
      ...dir(0o2770, 1001, WWW),
      defaultAcl: { userObj: 7, groupObj: 7, other: 0, mask: 7, users: [{ id: 1001, perm: 7 }], groups: [] },
    };
    const plain = predictCreated(web(0o022), parent);
    expect(plain.file.acl?.mask).toBe(6);
    const chmodded = predictCreated(web(0o022), parent, parsePath({ file: { chmod: '0644' } }));
    expect(chmodded.file.mode).toBe(0o644);
    expect(chmodded.file.acl?.mask).toBe(4);
    const stranger = { uid: 1001, gids: [1001] };
    expect(lostNames(predictLoss(chmodded, parent, stranger, true))).toEqual(['write']);
    expect(predictLoss(plain, parent, stranger, true)).toBe(0);
  });
});

describe('predictLoss for files replaced by rename', () => {
  const cache = dir(0o2775, 1001, WWW);
  const laravel = parsePath({ file: { chmod: '0777 & ~umask' } }, 'replace');

  it('a role that may create and delete in the directory can replace a file it cannot write', () => {
    const created = predictCreated(web(0o022), cache, laravel);
    expect(lostNames(predictLoss(created, cache, deploy, true))).toEqual(['write', 'create-inside']);
    expect(lostNames(predictLoss(created, cache, deploy, true, true))).toEqual(['create-inside']);
  });

  it('in a sticky directory it cannot replace what it does not own', () => {
    const sticky = dir(0o3777, 0, WWW);
    expect(lostNames(predictLoss(predictCreated(web(0o000), sticky, laravel), sticky, deploy, true, true))).toEqual(['write', 'delete']);
  });

  it('a fixed chmod that keeps the group out is fixed in the code, not by a umask, a group or an ACL', () => {
    const smarty = parsePath({ file: { chmod: '0644' } });
    expect(findRemedy({ creator: web(0o002), user: deploy, writes: true, parent: cache, path: smarty })).toEqual([{ kind: 'creation' }]);
    expect(findRemedy({ creator: web(0o022), user: deploy, writes: true, parent: cache })).toEqual([{ kind: 'umask', umask: 0o002 }]);
  });
});

describe('the rules under a creation model', () => {
  const quiet = (on: string) =>
    settings({
      severities: Object.fromEntries(
        [
          'access-denied',
          'traverse-denied',
          'access-excess',
          'world-writable',
          'secret-exposed',
          'special-bit',
          'mode-drift',
          'owner-mismatch',
          'cross-context',
        ]
          .filter((id) => id !== on)
          .map((id) => [id, 'off']),
      ),
    });

  it('access-denied: a file under replace needs only r; its directory still needs w and x', () => {
    const tree = [d('.', 0o755), d('cache', 0o2775, DEPLOY_ID, SHARED), f('cache/packages.php', 0o444, 33, SHARED)];
    const access = rule('cache/**', { cli: 'write' });
    expect(virtualAudit(tree, [access], { settings: quiet('access-denied') }).findings.map((x) => x.path)).toEqual(['cache/packages.php']);
    const replaced = rule('cache/**', { cli: 'write' }, { create: { replace: true } });
    expect(virtualAudit(tree, [replaced], { settings: quiet('access-denied') }).findings).toEqual([]);
    const closed = [d('.', 0o755), d('cache', 0o2755, 33, SHARED), f('cache/packages.php', 0o444, 33, SHARED)];
    expect(virtualAudit(closed, [replaced], { settings: quiet('access-denied') }).findings.map((x) => x.path)).toEqual(['cache']);
  });

  it('cross-context: a chmod 0664 keeps the group in whatever the umask; the message says how entries are made', () => {
    const tree = [d('.', 0o755), d('files', 0o2775, DEPLOY_ID, SHARED)];
    const subjects = SUBJECTS.map((s) => (s.role?.name === 'web' ? { ...s, role: { ...s.role, umask: 0o022 } } : s));
    const run = (create?: PathCreation) =>
      virtualAudit(tree, [rule('files/**', { web: 'write', cli: 'write' }, create ? { create } : {})], {
        settings: { ...quiet('cross-context'), subjects },
      }).findings.filter((x) => x.creator === 'web');
    expect(run().map((x) => x.lost)).toEqual([['write', 'create-inside']]);
    expect(run(parsePath({ file: { chmod: '0664' }, dir: { chmod: '2775' } }))).toEqual([]);
    const [smarty] = run(parsePath({ file: { chmod: '0644' }, dir: { chmod: '0771' } }));
    expect(smarty!.message).toBe(
      'web (u33, umask 0022; files chmod 0644; directories chmod 0771) creates files 0644 u33:g2000 and directories 0771 u33:g2000 in files; cli (u1001) then cannot write those files',
    );
  });
});
