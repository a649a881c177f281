import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh temp directory that every user can enter (mkdtemp gives 0700, which would block the
 * non-root users the tests run as), without setgid so creation follows plain rules.
 */
export function makeTempDir(prefix = 'permcheck-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(path, 0o755);
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}
