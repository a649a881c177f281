import { UsageError } from '../errors.js';

/** What to read for one image: its config and its layers, bottom first, as paths in the layout. */
export interface ImagePlan {
  config: string;
  layers: string[];
  /** The name the image was picked by, or the only one it has. */
  ref: string | undefined;
}

/** Reads a JSON document of the layout by its path ('index.json', 'blobs/sha256/…'). */
export type JsonReader = (path: string) => Promise<unknown>;

const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);
const REF_ANNOTATIONS = ['org.opencontainers.image.ref.name', 'io.containerd.image.name'];
/** OCI's digest grammar: algorithm ':' encoded, neither able to name another directory. */
const DIGEST = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** `docker save`'s manifest.json: [{ Config, RepoTags, Layers }]. */
export function dockerPlan(manifest: unknown, label: string, ref: string | undefined): ImagePlan {
  if (!Array.isArray(manifest) || !manifest.every(isObject)) throw new UsageError(`${label}: manifest.json is not a list of images`);
  const images = manifest.map((image) => ({ image, names: strings(image.RepoTags) }));
  const { image, names } = pick(images, label, ref);
  if (typeof image.Config !== 'string' || !Array.isArray(image.Layers))
    throw new UsageError(`${label}: manifest.json has no Config or Layers`);
  return { config: image.Config, layers: strings(image.Layers), ref: ref ?? names[0] };
}

/** An OCI layout's index.json, through nested indexes (one per platform) down to one manifest. */
export async function ociPlan(read: JsonReader, label: string, ref: string | undefined, arch = hostArchitecture()): Promise<ImagePlan> {
  let index = await read('index.json');
  const top = pick(descriptors(index, label, 'index.json'), label, ref);
  let picked = top;
  while (INDEX_TYPES.has(String(picked.image.mediaType))) {
    const path = blobPath(picked.image.digest, label);
    index = await read(path);
    picked = pickPlatform(descriptors(index, label, path), label, arch);
  }
  const manifestPath = blobPath(picked.image.digest, label);
  const manifest = await read(manifestPath);
  if (!isObject(manifest) || !isObject(manifest.config) || !Array.isArray(manifest.layers)) {
    throw new UsageError(`${label}: ${manifestPath} is not an image manifest (no config or layers)`);
  }
  return {
    config: blobPath(manifest.config.digest, label),
    layers: manifest.layers.map((layer) => blobPath(isObject(layer) ? layer.digest : undefined, label)),
    ref: ref ?? top.names[0],
  };
}

/** Where a blob lives in the layout; a digest that is not one is refused, never joined to a path. */
export function blobPath(digest: unknown, label: string): string {
  const match = typeof digest === 'string' ? DIGEST.exec(digest) : null;
  if (!match) throw new UsageError(`${label}: ${JSON.stringify(digest)} is not a valid digest`);
  return `blobs/${match[1]}/${match[2]}`;
}

/** The image config's User ('www-data', '33', '33:33', 'app:app'), or undefined when it names none. */
export function imageUser(config: unknown): string | undefined {
  const user = isObject(config) && isObject(config.config) ? config.config.User : undefined;
  return typeof user === 'string' && user !== '' ? user : undefined;
}

interface Candidate {
  image: Json;
  names: string[];
}

function descriptors(index: unknown, label: string, path: string): Candidate[] {
  if (!isObject(index) || !Array.isArray(index.manifests)) throw new UsageError(`${label}: ${path} has no manifests`);
  return index.manifests.filter(isObject).map((image) => {
    const annotations = isObject(image.annotations) ? image.annotations : {};
    return { image, names: REF_ANNOTATIONS.map((key) => annotations[key]).filter((v): v is string => typeof v === 'string') };
  });
}

/** The image named `ref` (a full name or just its tag), or the only one there is. */
function pick(images: Candidate[], label: string, ref: string | undefined): Candidate {
  if (ref !== undefined) {
    const tagOf = (name: string) => name.slice(name.lastIndexOf(':') + 1);
    const found = images.find(({ names }) => names.some((name) => name === ref || name === tagOf(ref) || tagOf(name) === ref));
    if (found) return found;
    throw new UsageError(`${label}: no image named ${ref} (it has ${list(images)})`);
  }
  if (images.length === 1) return images[0]!;
  if (images.length === 0) throw new UsageError(`${label}: holds no image`);
  throw new UsageError(`${label}: holds ${images.length} images (${list(images)}); name the one to audit`);
}

function pickPlatform(images: Candidate[], label: string, arch: string): Candidate {
  const platformOf = ({ image }: Candidate) => (isObject(image.platform) ? image.platform : {});
  // Build attestations ride along in indexes as manifests for the platform unknown/unknown.
  const real = images.filter((c) => platformOf(c).os !== 'unknown');
  if (real.length === 1) return real[0]!;
  const native = real.filter((c) => platformOf(c).os === 'linux' && platformOf(c).architecture === arch);
  if (native.length >= 1) return native[0]!;
  const platforms = real.map((c) => `${String(platformOf(c).os)}/${String(platformOf(c).architecture)}`).join(', ');
  throw new UsageError(`${label}: no manifest for linux/${arch} among ${platforms || 'none'}`);
}

function list(images: Candidate[]): string {
  return images.map(({ names }) => names[0] ?? 'an unnamed image').join(', ');
}

const ARCHITECTURES: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};

export function hostArchitecture(): string {
  return ARCHITECTURES[process.arch] ?? process.arch;
}
