import { describe, expect, it } from 'vitest';
import { blobPath, dockerPlan, imageUser, ociPlan } from '../../src/archive/manifest.js';
import { UsageError } from '../../src/errors.js';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const path = (c: string) => `blobs/sha256/${c.repeat(64)}`;

/** An OCI layout held in memory: documents by path. */
function layout(documents: Record<string, unknown>) {
  return async (at: string) => {
    if (!(at in documents)) throw new UsageError(`layout: ${at} is missing`);
    return documents[at];
  };
}

const manifest = (config: string, ...layers: string[]) => ({
  schemaVersion: 2,
  config: { digest: digest(config) },
  layers: layers.map((l) => ({ digest: digest(l) })),
});

describe('which image and which layers', () => {
  it('docker save: the only image, or the one a tag names', () => {
    const images = [
      { Config: 'c1.json', RepoTags: ['shop:1', 'shop:latest'], Layers: ['a/layer.tar', 'b/layer.tar'] },
      { Config: 'c2.json', RepoTags: ['blog:2'], Layers: ['c/layer.tar'] },
    ];
    expect(dockerPlan([images[0]], 'x.tar', undefined)).toEqual({
      config: 'c1.json',
      layers: ['a/layer.tar', 'b/layer.tar'],
      ref: 'shop:1',
    });
    expect(dockerPlan(images, 'x.tar', 'blog:2').config).toBe('c2.json');
    expect(dockerPlan(images, 'x.tar', 'latest').config).toBe('c1.json');
    expect(() => dockerPlan(images, 'x.tar', undefined)).toThrow(
      new UsageError('x.tar: holds 2 images (shop:1, blog:2); name the one to audit'),
    );
    expect(() => dockerPlan(images, 'x.tar', 'cms:3')).toThrow(new UsageError('x.tar: no image named cms:3 (it has shop:1, blog:2)'));
    expect(() => dockerPlan({}, 'x.tar', undefined)).toThrow(new UsageError('x.tar: manifest.json is not a list of images'));
  });

  it('OCI layout: through a multi-platform index to the manifest for this machine, attestations aside', async () => {
    const read = layout({
      'index.json': {
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.index.v1+json',
            digest: digest('1'),
            annotations: { 'io.containerd.image.name': 'docker.io/shop:1' },
          },
        ],
      },
      [path('1')]: {
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: digest('2'),
            platform: { os: 'linux', architecture: 'arm64' },
          },
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: digest('3'),
            platform: { os: 'linux', architecture: 'amd64' },
          },
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: digest('4'),
            platform: { os: 'unknown', architecture: 'unknown' },
          },
        ],
      },
      [path('2')]: manifest('a', 'b'),
      [path('3')]: manifest('c', 'd', 'e'),
    });
    expect(await ociPlan(read, 'layout', undefined, 'amd64')).toEqual({
      config: path('c'),
      layers: [path('d'), path('e')],
      ref: 'docker.io/shop:1',
    });
    expect((await ociPlan(read, 'layout', undefined, 'arm64')).config).toBe(path('a'));
    await expect(ociPlan(read, 'layout', undefined, 's390x')).rejects.toThrow(
      'layout: no manifest for linux/s390x among linux/arm64, linux/amd64',
    );
  });

  it('refuses a digest that would name a path outside the blobs', () => {
    expect(blobPath(digest('a'), 'x')).toBe(path('a'));
    expect(() => blobPath('sha256:../../../etc/passwd', 'x.tar')).toThrow(
      new UsageError('x.tar: "sha256:../../../etc/passwd" is not a valid digest'),
    );
    expect(() => blobPath('../sha256:abc', 'x.tar')).toThrow(UsageError);
    expect(() => blobPath(undefined, 'x.tar')).toThrow(UsageError);
  });

  it("reads the config's User, if it names one", () => {
    expect(imageUser({ config: { User: 'www-data' } })).toBe('www-data');
    expect(imageUser({ config: { User: '33:33' } })).toBe('33:33');
    expect(imageUser({ config: { User: '' } })).toBe(undefined);
    expect(imageUser({ config: {} })).toBe(undefined);
    expect(imageUser(null)).toBe(undefined);
  });
});
