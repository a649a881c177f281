import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { isImageLayout, statOrNothing } from './detect.js';
import { DEFAULT_MAX_ENTRIES, TreeBuilder } from './builder.js';
import { LayerLog } from './layer-log.js';
import { dockerPlan, imageUser, ociPlan, type ImagePlan } from './manifest.js';
import { displayName, memberPath, splitPath } from './names.js';
import type { ReadOptions } from './read.js';
import { fileError, openInput, type ArchiveInput, type Chunks } from './source.js';
import { readTar, type Body } from './tar-reader.js';
import { ArchiveTree, FILE } from './tree.js';

/** A container image's final file system, with what its config says about who runs it. */
export interface ContainerImage {
  /** Every layer applied in order, whiteouts and opaque directories honoured; paths from '/'. */
  tree: ArchiveTree;
  /** The config's User ('www-data', '33:33', ...), undefined when it names none (root). */
  user: string | undefined;
  /** The name the image was picked by, or the only one it carries. */
  ref: string | undefined;
  layers: number;
}

export interface ImageOptions extends ReadOptions {
  /** Which image, when the archive or layout holds several: a name as docker shows it, or a tag. */
  ref?: string;
}

/** JSON documents of an image are small; a larger one is not an image's. */
const MAX_JSON_BYTES = 16 << 20;

/**
 * Reads a container image without unpacking it: an OCI image layout directory, or an archive
 * (`docker save`, in its legacy or its OCI form; an OCI layout packed with tar), on stdin too.
 */
export async function readImage(input: ArchiveInput, options: ImageOptions = {}): Promise<ContainerImage> {
  if (typeof input === 'string' && input !== '-' && isDirectory(input)) return readLayout(input, options);
  return readImageArchive(input, options);
}

async function readLayout(dir: string, options: ImageOptions): Promise<ContainerImage> {
  if (!isImageLayout(dir)) throw new UsageError(`${dir}: a directory, but not an OCI image layout (no oci-layout file)`);
  const read = async (path: string) => parseJson(readSmallFile(dir, path), dir, path);
  const plan = await ociPlan(read, dir, options.ref);
  const layers: LayerSource[] = plan.layers.map(
    (path) => async (tree, budget) => readLayer(openInput(join(dir, path)).chunks, dir, path, tree, budget),
  );
  return assemble(dir, plan, await read(plan.config), layers, options);
}

type Member = { json: string } | { log: LayerLog } | { error: unknown };

async function readImageArchive(input: ArchiveInput, options: ImageOptions): Promise<ContainerImage> {
  const { chunks, label } = openInput(input);
  const members = new Map<string, Member>();
  const scratch = new ArchiveTree(label, true);
  const budget = { left: options.maxEntries ?? DEFAULT_MAX_ENTRIES };
  let jsonBytes = 0;
  // One pass: JSON documents are kept as text, every other file is tried as a layer and kept
  // as a compact log, since the manifest that orders them may come last.
  await readTar(chunks, label, scratch.notes, (record, body) => {
    if (record.kind !== FILE) return undefined;
    const path = memberPath(record.name)?.path;
    if (path === undefined) return undefined;
    return (async () => {
      const it = body[Symbol.asyncIterator]();
      const first = await it.next();
      const rest: Chunks = (async function* () {
        if (!first.done) yield first.value;
        for (let next = await it.next(); !next.done; next = await it.next()) yield next.value;
      })();
      if (!first.done && isJson(first.value)) {
        const text = await readText(rest, label, path);
        jsonBytes += text.length;
        if (jsonBytes > 4 * MAX_JSON_BYTES) throw new UsageError(`${label}: more JSON than an image holds`);
        members.set(path, { json: text });
        return;
      }
      try {
        members.set(path, { log: await readLayer(rest, label, path, scratch, budget) });
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        members.set(path, { error });
        for (let next = await it.next(); !next.done; next = await it.next());
      }
    })();
  });
  const json = async (path: string) => {
    const member = members.get(path);
    if (!member) throw new UsageError(`${label}: ${path} is missing`);
    if (!('json' in member)) throw new UsageError(`${label}: ${path} is not a JSON document`);
    return parseJson(member.json, label, path);
  };
  let plan: ImagePlan;
  if (members.has('manifest.json')) plan = dockerPlan(await json('manifest.json'), label, options.ref);
  else if (members.has('index.json')) plan = await ociPlan(json, label, options.ref);
  else throw new UsageError(`${label}: not a container image (no manifest.json or index.json at its top)`);
  const layers: LayerSource[] = plan.layers.map((layer) => async () => {
    const member = members.get(memberPath(layer)?.path ?? layer);
    if (!member) throw new UsageError(`${label}: the layer ${layer} is missing`);
    if ('error' in member) throw member.error;
    if (!('log' in member)) throw new UsageError(`${label}: the layer ${layer} is not a tar archive`);
    return member.log;
  });
  const image = await assemble(label, plan, await json(memberPath(plan.config)?.path ?? plan.config), layers, options);
  for (const line of scratch.notes.lines()) image.tree.notes.add(line);
  return image;
}

type LayerSource = (tree: ArchiveTree, budget: { left: number }) => Promise<LayerLog>;

/** Applies the layers bottom up: each layer's whiteouts first, then its entries (OCI image spec). */
async function assemble(
  label: string,
  plan: ImagePlan,
  config: unknown,
  layers: LayerSource[],
  options: ImageOptions,
): Promise<ContainerImage> {
  const max = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const builder = new TreeBuilder(new ArchiveTree(label, true), max);
  const budget = { left: max };
  for (const layer of layers) {
    const log = await layer(builder.tree, budget);
    builder.startLayer();
    for (const record of log.records()) if (isWhiteout(record.name)) builder.whiteout(record.name);
    for (const record of log.records()) if (!isWhiteout(record.name)) builder.add(record);
  }
  return { tree: builder.finish(), user: imageUser(config), ref: plan.ref, layers: plan.layers.length };
}

/** A JSON document opens with { or [; a tar whose first name does says "ustar" at byte 257. */
function isJson(head: Uint8Array): boolean {
  const ustar = head.length >= 262 && Buffer.from(head.buffer, head.byteOffset + 257, 5).toString('latin1') === 'ustar';
  return (head[0] === 0x7b || head[0] === 0x5b) && !ustar;
}

function isWhiteout(name: string): boolean {
  return splitPath(memberPath(name)?.path ?? '')[1].startsWith('.wh.');
}

async function readLayer(chunks: Chunks, label: string, path: string, tree: ArchiveTree, budget: { left: number }): Promise<LayerLog> {
  const where = `${label}:${displayName(path)}`;
  const log = new LayerLog(where);
  await readTar(chunks, where, tree.notes, (record) => {
    if (--budget.left < 0) throw new UsageError(`${label}: more entries than permcheck reads (the layers hold more than its limit)`);
    log.push(record);
  });
  return log;
}

async function readText(chunks: Body, label: string, path: string): Promise<string> {
  const parts: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of chunks) {
    length += chunk.length;
    if (length > MAX_JSON_BYTES) throw new UsageError(`${label}: ${path} is larger than any image document (${MAX_JSON_BYTES >> 20} MiB)`);
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString('utf8');
}

function readSmallFile(dir: string, path: string): string {
  const file = join(dir, path);
  try {
    if (statSync(file).size > MAX_JSON_BYTES)
      throw new UsageError(`${dir}: ${path} is larger than any image document (${MAX_JSON_BYTES >> 20} MiB)`);
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`${dir}: ${path} is missing`);
    throw fileError(error, file);
  }
}

function parseJson(text: string, label: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${label}: ${path} is not valid JSON`);
  }
}

function isDirectory(path: string): boolean {
  return statOrNothing(path)?.isDirectory() ?? false;
}
