import { close, type Name } from './fd.js';

/**
 * A chain of open directories from a top one down, as the walk descends and as `permcheck fix` reaches
 * an entry: each level opened through the one above it, without following links, and checked to be the
 * directory first seen. A chain deeper than the budget closes its middle and reopens it, name by name
 * and checked again, when it is needed: one descriptor per level would fail past `ulimit -n`.
 */
export interface ChainLevel {
  /** Open; CLOSED while closed to spare descriptors; another negative value once it cannot be reached. */
  fd: number;
  /** Its name in the level above. */
  name: Name | undefined;
  /** The directory it must still be. */
  dir: { rel: string; dev: number; ino: number };
}

/** Open descriptors a chain keeps at most. */
export const DESCRIPTOR_BUDGET = 64;
/** The top levels stay open: every reopen starts from there at worst. */
export const ALWAYS_OPEN = 16;
export const CLOSED = -1;

/** A child directory opened without following it and checked to be `seen` (Walker.openChecked). */
export type OpenChecked = (dirFd: number, name: Name, seen: ChainLevel['dir']) => number | NodeJS.ErrnoException;

/** After a level is added: past the budget, the shallowest open level below the top ones is closed. */
export function spareDescriptors(chain: ChainLevel[]): void {
  const spare = chain.length - 1 - (DESCRIPTOR_BUDGET - ALWAYS_OPEN);
  if (spare >= ALWAYS_OPEN && chain[spare]!.fd >= 0) {
    close(chain[spare]!.fd);
    chain[spare]!.fd = CLOSED;
  }
}

/**
 * Reopen chain[index] from the nearest open level above it (else `base`, the directory the chain hangs
 * from), name by name, each checked. The deepest levels, as many as the budget keeps below the top ones,
 * stay open: what comes next is most likely at or below them, so one reopen serves that many levels
 * (reopening only the one needed each time made a 5,000-level tree quadratic: 124 s). Returns its
 * descriptor; the level that could not be reopened and why; or undefined with nothing open to start from.
 */
export function reopenLevel(
  chain: ChainLevel[],
  index: number,
  base: number | undefined,
  open: OpenChecked,
): number | { at: number; error: NodeJS.ErrnoException } | undefined {
  let above = index - 1;
  while (above >= 0 && chain[above]!.fd < 0) above--;
  let fd = above >= 0 ? chain[above]!.fd : base;
  if (fd === undefined) return undefined;
  const keepFrom = index - (DESCRIPTOR_BUDGET - ALWAYS_OPEN) + 1;
  for (let k = above + 1; k <= index; k++) {
    const level = chain[k]!;
    const opened = open(fd, level.name!, level.dir);
    if (k - 1 > above && k - 1 < keepFrom) close(fd);
    if (typeof opened !== 'number') return { at: k, error: opened };
    if (k >= keepFrom) level.fd = opened;
    fd = opened;
  }
  chain[index]!.fd = fd;
  return fd;
}
