import { describe, it } from 'vitest';

/** What a root-only suite does that no other user may (README, "Tests that need root"). */
export const NEEDS_ROOT = {
  chown: 'root: it gives test trees to other users (chown)',
  setpriv: 'root: it runs processes as other users (setpriv) to compare with the kernel',
  services: 'root: it starts php-fpm, Apache, supervisord and cron as their users',
  archives: 'root: it unpacks archives with their owners to compare with the walk of the tree',
} as const;

/**
 * A suite, or a test, that runs only where its needs are met: `{ [what]: met }`. Skipped, it says on
 * stderr what it lacks, so a run as a non-root user shows what it left out and why.
 */
export function describeNeeding(needs: Record<string, boolean>) {
  const missing = unmet(needs);
  return (title: string, fn: () => void) => {
    if (missing.length === 0) return describe(title, fn);
    console.warn(`skipped: ${title}: needs ${missing.join('; ')}`);
    return describe.skip(`${title} (skipped: needs ${missing.join('; ')})`, fn);
  };
}

export function itNeeding(needs: Record<string, boolean>) {
  const missing = unmet(needs);
  return (title: string, fn: () => unknown, timeout?: number) => {
    if (missing.length === 0) return it(title, fn, timeout);
    console.warn(`skipped: ${title}: needs ${missing.join('; ')}`);
    return it.skip(`${title} (skipped: needs ${missing.join('; ')})`, fn, timeout);
  };
}

function unmet(needs: Record<string, boolean>): string[] {
  return Object.entries(needs)
    .filter(([, met]) => !met)
    .map(([what]) => what);
}
