import { statSync, type Stats } from 'node:fs';
import { join } from 'node:path';

/**
 * Whether audit's target is an artifact (an archive, stdin, an image) rather than a tree on disk:
 * apart from the readers (tar-stream, zlib, zstd), which load only for an artifact.
 */
export function isArtifact(target: string, options: { imageRoot?: string | undefined }): boolean {
  if (target === '-' || options.imageRoot !== undefined) return true;
  const stats = statOrNothing(target);
  if (stats === undefined) return false;
  return stats.isFile() || (stats.isDirectory() && isImageLayout(target));
}

/** Whether a directory is an OCI image layout (it has an oci-layout file), not a tree to walk. */
export function isImageLayout(dir: string): boolean {
  return statOrNothing(join(dir, 'oci-layout'))?.isFile() ?? false;
}

/** A path under a file (ENOTDIR), a loop or a denied directory: nothing there to read as an image. */
export function statOrNothing(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}
