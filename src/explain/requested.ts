import type { EntryKind } from '../mode/creation.js';
import { EXECUTE } from '../mode/bits.js';

export interface RequestedMode {
  kind: EntryKind;
  requested: number;
}

export type RequestedParse = { ok: true; value: RequestedMode } | { ok: false; reason: string };

export const REQUESTED_FORMS = "an octal mode 0000-7777, optionally prefixed 'file:' or 'dir:' (0775, dir:2775, file:0664)";

/**
 * A mode that code asks for, such as PHP's mkdir($dir, 0775). Without a prefix, a request with an
 * x bit is taken for a directory and one without for a file, which is how such modes are used.
 */
export function parseRequestedMode(text: string): RequestedParse {
  const match = /^(?:(file|dir|directory):)?(?:0o)?0*([0-7]{1,4})$/i.exec(text.trim());
  if (!match) return { ok: false, reason: 'is not ' + REQUESTED_FORMS };
  const requested = Number.parseInt(match[2]!, 8);
  const prefix = match[1]?.toLowerCase();
  const hasExecute = (requested & ((EXECUTE << 6) | (EXECUTE << 3) | EXECUTE)) !== 0;
  const kind: EntryKind = prefix ? (prefix === 'file' ? 'file' : 'directory') : hasExecute ? 'directory' : 'file';
  return { ok: true, value: { kind, requested } };
}
