import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isImageLayout } from '../../src/archive/detect.js';
import { readImage } from '../../src/archive/image.js';
import { archiveAncestors, archiveLookup } from '../../src/archive/lookup.js';
import { readArchive } from '../../src/archive/read.js';
import { makeTempDir } from '../helpers/tmp.js';
import { buildTree, type EntrySpec } from '../helpers/tree.js';
import { isRoot } from '../helpers/users.js';
import { archiveVisits, diskVisits } from '../helpers/visits.js';
import { describeNeeding, NEEDS_ROOT } from '../helpers/needs.js';

const WWW = 33;
const html = (path: string) => `var/www/html${path ? `/${path}` : ''}`;
const dir = (path: string, mode = 0o755, uid = 0, gid = 0): EntrySpec => ({ path, type: 'dir', mode, uid, gid });
const file = (path: string, mode = 0o644, uid = 0, gid = 0): EntrySpec => ({ path, type: 'file', mode, uid, gid });
const parents = [dir('var'), dir('var/www'), dir(html(''), 0o755, 0, WWW)];

/** The base layer: an application with a cache, a config directory and a file to be deleted. */
const LAYER1: EntrySpec[] = [
  ...parents,
  dir('etc'),
  file('etc/motd'),
  file(html('index.php'), 0o644, WWW, WWW),
  file(html('old.php'), 0o666, WWW, WWW),
  dir(html('cache'), 0o775, WWW, WWW),
  file(html('cache/a'), 0o664, WWW, WWW),
  dir(html('cache/sub'), 0o775, WWW, WWW),
  file(html('cache/sub/b'), 0o664, WWW, WWW),
  dir(html('conf'), 0o750, 0, WWW),
  file(html('conf/x.ini'), 0o640, 0, WWW),
  dir(html('gone'), 0o777),
  file(html('gone/inside.php')),
];

/**
 * The upper layer: deletes old.php and the gone/ directory (whiteouts), empties cache/ of what
 * the base layer had (opaque) while adding a file, adds to conf/, and replaces index.php.
 */
const LAYER2: EntrySpec[] = [
  ...parents,
  file(html('.wh.old.php'), 0o600),
  file(html('.wh.gone'), 0o600),
  dir(html('cache'), 0o770, WWW, WWW),
  file(html('cache/.wh..wh..opq'), 0o600),
  file(html('cache/new'), 0o660, WWW, WWW),
  dir(html('conf'), 0o750, 0, WWW),
  file(html('conf/y.ini'), 0o640, 0, WWW),
  file(html('index.php'), 0o640, 0, WWW),
];

/** What the image's file system is after both layers, built on disk to walk. */
const MERGED: EntrySpec[] = [
  ...parents,
  dir('etc'),
  file('etc/motd'),
  file(html('index.php'), 0o640, 0, WWW),
  file(html('link.php'), 0o644, WWW, WWW),
  dir(html('cache'), 0o770, WWW, WWW),
  file(html('cache/new'), 0o660, WWW, WWW),
  dir(html('conf'), 0o750, 0, WWW),
  file(html('conf/x.ini'), 0o640, 0, WWW),
  file(html('conf/y.ini'), 0o640, 0, WWW),
];

interface Blob {
  digest: string;
  path: string;
  size: number;
}

describeNeeding({ [NEEDS_ROOT.chown]: isRoot })('container images: layers applied in order, with whiteouts and opaque directories', () => {
  const tmp = makeTempDir('permcheck-image-');
  afterAll(() => tmp.cleanup());
  const layout = join(tmp.path, 'layout');
  const blobs = join(layout, 'blobs', 'sha256');
  let layer1: Blob;
  let layer2: Blob;
  let config: Blob;
  let manifest: Blob;
  let expected: string[];

  const blob = (bytes: Buffer): Blob => {
    const hex = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(blobs, hex), bytes);
    return { digest: `sha256:${hex}`, path: `blobs/sha256/${hex}`, size: bytes.length };
  };
  const layer = (name: string, entries: EntrySpec[], extra: string[] = []): Buffer => {
    const stage = join(tmp.path, name);
    buildTree(stage, entries);
    for (const command of extra) execFileSync('bash', ['-c', command], { cwd: stage });
    // Layers name their entries without './', as image builders write them.
    return execFileSync(
      'tar',
      ['-cf', '-', '-C', stage, '--sort=name', ...entries.filter((e) => !e.path.includes('/')).map((e) => e.path)],
      {
        maxBuffer: 1 << 26,
      },
    );
  };

  beforeAll(() => {
    mkdirSync(blobs, { recursive: true });
    // A hard link in the base layer keeps the old inode when the upper layer replaces index.php.
    layer1 = blob(layer('layer1', LAYER1, [`ln ${html('index.php')} ${html('link.php')}`]));
    layer2 = blob(execFileSync('gzip', ['-n'], { input: layer('layer2', LAYER2) }));
    config = blob(
      Buffer.from(
        JSON.stringify({
          architecture: 'amd64',
          os: 'linux',
          config: { User: 'www-data', WorkingDir: '/var/www/html' },
          rootfs: { type: 'layers', diff_ids: [] },
        }),
      ),
    );
    manifest = blob(
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size },
          layers: [
            { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer1.digest, size: layer1.size },
            { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer2.digest, size: layer2.size },
          ],
        }),
      ),
    );
    writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    writeFileSync(
      join(layout, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: manifest.digest,
            size: manifest.size,
            annotations: { 'org.opencontainers.image.ref.name': 'shop:1' },
          },
        ],
      }),
    );
    const merged = join(tmp.path, 'merged');
    buildTree(merged, MERGED);
    expected = diskVisits(join(merged, html('')));
  });

  it('an OCI image layout directory gives the merged tree and the config User', async () => {
    expect(isImageLayout(layout)).toBe(true);
    expect(isImageLayout(tmp.path)).toBe(false);
    const image = await readImage(layout);
    expect(image.user).toBe('www-data');
    expect(image.ref).toBe('shop:1');
    expect(image.layers).toBe(2);
    const visits = archiveVisits(image.tree, '/var/www/html');
    expect(visits).toEqual(expected);
    expect(visits.join('\n')).not.toMatch(/old\.php|gone|\.wh\.|cache\/a|cache\/sub/);
    expect(image.tree.notes.lines()).toEqual([]);
  });

  it('paths show from the image root, and the directories above the root come from the layers', async () => {
    const image = await readImage(layout);
    expect(archiveLookup(image.tree, '/var/www/html/conf/y.ini')).toMatchObject({
      path: `${layout}:/var/www/html/conf/y.ini`,
      mode: 0o640,
      gid: WWW,
      implied: false,
    });
    expect(archiveAncestors(image.tree, '/var/www/html').map((e) => [e.rel, e.mode, e.implied])).toEqual([
      ['/', 0o755, true],
      ['/var', 0o755, false],
      ['/var/www', 0o755, false],
    ]);
  });

  it('a docker save archive (OCI form, layers stored out of order) gives the same tree', async () => {
    const save = join(tmp.path, 'save.tar');
    writeFileSync(
      join(layout, 'manifest.json'),
      JSON.stringify([{ Config: config.path, RepoTags: ['shop:1'], Layers: [layer1.path, layer2.path] }]),
    );
    // The upper layer first: the manifest, not the order in the archive, says which comes first.
    execFileSync('tar', [
      '-cf',
      save,
      '-C',
      layout,
      layer2.path,
      'index.json',
      layer1.path,
      config.path,
      manifest.path,
      'manifest.json',
      'oci-layout',
    ]);
    const image = await readImage(save);
    expect(image.user).toBe('www-data');
    expect(archiveVisits(image.tree, '/var/www/html')).toEqual(expected);
    // Read as a plain archive, it says what it is: the caller can suggest an image root.
    expect((await readArchive(save)).looksLikeImage).toBe(true);
  });

  it('a legacy docker save archive (<id>/layer.tar, uncompressed) gives the same tree', async () => {
    const legacy = join(tmp.path, 'legacy');
    mkdirSync(join(legacy, 'aaa'), { recursive: true });
    mkdirSync(join(legacy, 'bbb'), { recursive: true });
    writeFileSync(join(legacy, 'bbb', 'layer.tar'), readFileSync(join(layout, layer1.path)));
    writeFileSync(join(legacy, 'aaa', 'layer.tar'), execFileSync('gzip', ['-dc'], { input: readFileSync(join(layout, layer2.path)) }));
    writeFileSync(join(legacy, 'aaa', 'VERSION'), '1.0');
    writeFileSync(join(legacy, 'cfg.json'), readFileSync(join(layout, config.path)));
    writeFileSync(
      join(legacy, 'manifest.json'),
      JSON.stringify([{ Config: 'cfg.json', RepoTags: ['shop:1'], Layers: ['bbb/layer.tar', 'aaa/layer.tar'] }]),
    );
    writeFileSync(join(legacy, 'repositories'), JSON.stringify({ shop: { '1': 'bbb' } }));
    const save = join(tmp.path, 'legacy.tar');
    execFileSync('tar', ['-cf', save, '-C', legacy, 'aaa', 'bbb', 'cfg.json', 'manifest.json', 'repositories']);
    const image = await readImage(save);
    expect(archiveVisits(image.tree, '/var/www/html')).toEqual(expected);
  });

  it('read from a stream: docker save | permcheck audit -', async () => {
    const save = join(tmp.path, 'save.tar');
    const image = await readImage({ stream: (await import('node:fs')).createReadStream(save), label: 'stdin' });
    expect(archiveVisits(image.tree, '/var/www/html')).toEqual(expected);
    expect(archiveLookup(image.tree, '/var/www/html/index.php')?.path).toBe('stdin:/var/www/html/index.php');
  });

  it('refuses an image root that is not in the image, or not a directory, in one line', async () => {
    const image = await readImage(layout);
    expect(() => archiveVisits(image.tree, '/srv/app')).toThrow(`${layout}: /srv/app is not in the image`);
    expect(() => archiveVisits(image.tree, '/etc/motd')).toThrow(`${layout}:/etc/motd: not a directory`);
  });
});
