import { join } from 'node:path';
import { analyzePhp } from './analyze.js';
import { ParserFailure } from './parse.js';
import { composerPackage, type InstalledPackages } from './package.js';
import { mentionsModeNames, modeAnchors } from './prefilter.js';
import { decodeSource, readSource } from './read.js';
import type { ScanResult } from './types.js';

export interface ScanSetup {
  root: string;
  ignore: string[];
  maxBytes: number;
  installed: InstalledPackages | undefined;
}

export function emptyResult(): ScanResult {
  return { sites: [], notes: [], counts: { listed: 0, read: 0, parsed: 0, bytes: 0 } };
}

/** One thread's state: a read buffer reused for every file. */
export class FileScanner {
  private readonly buffer: Buffer;
  constructor(private readonly setup: ScanSetup) {
    this.buffer = Buffer.allocUnsafe(setup.maxBytes);
  }

  /** `file`: its path relative to the root, or its bytes when the name is not valid UTF-8. */
  scanFile(file: string | Uint8Array, into: ScanResult): void {
    into.counts.listed++;
    const rel = typeof file === 'string' ? file : Buffer.from(file).toString('utf8');
    const path = typeof file === 'string' ? join(this.setup.root, file) : Buffer.concat([Buffer.from(`${this.setup.root}/`), file]);
    const read = readSource(path, rel, this.buffer, this.setup.maxBytes);
    if ('note' in read) {
      into.notes.push(read.note);
      return;
    }
    into.counts.read++;
    into.counts.bytes += read.bytes.length;
    // Decoding UTF-8 validates every byte: only for the few that pass the byte search (grep's candidates, all).
    if (!mentionsModeNames(read.bytes)) return;
    const { code, note } = decodeSource(read.bytes, rel);
    const anchors = modeAnchors(code);
    if (!anchors) return;
    try {
      const analysis = analyzePhp(code, rel, anchors);
      if (!analysis.parsed) return;
      into.counts.parsed++;
      if (note) into.notes.push(note);
      if (analysis.syntaxError) {
        const { message, line } = analysis.syntaxError;
        into.notes.push({
          file: rel,
          reason: 'syntax-error',
          message: `line ${line}: ${message} (the rest of the file was read around it)`,
        });
      }
      const pkg = composerPackage(rel, this.setup.installed);
      for (const site of analysis.sites) into.sites.push(pkg ? { ...site, package: pkg } : site);
    } catch (error) {
      // php-parser gave up on the file: say so and go on with the others. Anything else is a bug.
      if (!(error instanceof ParserFailure)) throw error;
      into.counts.parsed++;
      into.notes.push({ file: rel, reason: 'parse-failed', message: `the PHP parser failed: ${(error as Error).message}` });
    }
  }
}
