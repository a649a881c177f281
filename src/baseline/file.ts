import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { readTrustedFile } from '../trust/trusted-file.js';
import { BASELINE_VERSION, type BaselineFile } from './baseline.js';

/** A baseline lists findings; past this it is not one (or not one worth reading). */
const MAX_BYTES = 512 << 20;

const schema = z.strictObject({
  version: z.literal(BASELINE_VERSION),
  findings: z.array(
    z.strictObject({
      rule: z.string(),
      path: z.string(),
      role: z.string().optional(),
      fingerprint: z.string().regex(/^[0-9a-f]{8,64}$/),
    }),
  ),
});

/** --baseline FILE: read and checked; anything wrong is one UsageError naming the file. */
export function readBaseline(file: string): BaselineFile {
  let text: string;
  try {
    // Named on purpose, so a symlink is followed; but only to a regular file of a baseline's size,
    // opened without blocking: a FIFO or /dev/zero given here must not hang or fill memory.
    text = readTrustedFile(file, { what: '--baseline', maxBytes: MAX_BYTES, explicit: true });
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${error.message} (write one with --write-baseline)`);
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`--baseline ${file}: not JSON (write one with --write-baseline)`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new UsageError(`--baseline ${file}: not a permcheck baseline (${where}${issue.message})`);
  }
  return parsed.data as BaselineFile;
}

/**
 * --write-baseline FILE: written whole or not at all (a temp file beside it, then renamed), so a
 * run that fails half-way leaves the previous baseline in place.
 */
export function writeBaseline(file: string, baseline: BaselineFile): void {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  const lines = baseline.findings.map((entry) => `    ${JSON.stringify(entry)}`);
  const text = `{\n  "version": ${baseline.version},\n  "findings": [${lines.length > 0 ? `\n${lines.join(',\n')}\n  ` : ''}]\n}\n`;
  try {
    const fd = openSync(temp, 'wx', 0o644);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // Never created, or already renamed.
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'EROFS' || code === 'EEXIST') {
      throw new UsageError(`--write-baseline ${file}: cannot be written (${code})`);
    }
    throw error;
  }
}
