import { readFileSync } from 'node:fs';

/**
 * The umask of this process. Linux reports it in /proc/self/status without changing it; the
 * fallback, process.umask() with no argument, is deprecated because it briefly sets and restores it.
 */
export function currentUmask(): number {
  try {
    const match = /^Umask:\s*([0-7]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number.parseInt(match[1]!, 8);
  } catch {
    // Not Linux, or /proc not mounted.
  }
  return process.umask();
}
