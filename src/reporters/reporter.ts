import type { Finding } from '../rules/contract.js';
import type { Paint } from '../paint.js';
import type { ValueSource } from '../roles/source.js';

export interface RoleSummary {
  name: string;
  user: string;
  uid: number;
  gid: number;
  groups: string[];
  umask: string;
  umaskOrigin: string;
  origin: string;
  /** Where the user, groups and umask came from (flag, config, a running process, a config file, default). */
  sources: ValueSource[];
}

export interface ReportHeader {
  /** The audited directory as given (absolute). */
  root: string;
  /** The directory actually walked, when the root is reached through symlinks. */
  resolvedRoot: string;
  preset: string | null;
  presetSource: string;
  /** The config in force and how it was chosen; file null when there is none. */
  config: { file: string | null; source: string };
  roles: RoleSummary[];
  /** Who ran the audit: not root means what it cannot read is reported, not seen. */
  runner: { uid: number; user: string };
}

export interface ReportSummary {
  entries: number;
  errors: number;
  warnings: number;
  infos: number;
  elapsedMs: number;
}

/**
 * One output format. Findings arrive one at a time while the walk goes on; a reporter returns the
 * text to write at each step, so a streaming format never holds the whole report.
 */
export interface Reporter {
  begin(header: ReportHeader): string;
  finding(finding: Finding): string;
  end(summary: ReportSummary): string;
  /**
   * Streaming JSON formats: one finding as the format writes it (pure, so worker threads run it
   * and pass the bytes, which is cheaper to pass and to hold than objects).
   */
  serialize?(finding: Finding): string;
  /** Streaming formats: what goes before a chunk of serialized findings joined by JSON_SEPARATOR. */
  serializedFinding?(): string;
}

export interface ReporterOptions {
  paint: Paint;
  /** List info findings one by one (text); otherwise they are counted per rule. */
  verbose: boolean;
}
