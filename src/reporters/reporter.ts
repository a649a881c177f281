import type { Finding } from '../rules/contract.js';
import type { Paint } from '../paint.js';
import type { RoleJson } from '../roles/json.js';
import type { BaselineOutcome } from '../baseline/baseline.js';

/** A role as the header shows it: the one role JSON shape (roles/json.ts). */
export type RoleSummary = RoleJson;

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
  /** Whether POSIX ACLs could be read at all; when not, entries are judged by their mode alone. */
  acl?: { state: 'read' } | { state: 'unknown'; reason: string };
  /** Set when an archive or a container image was audited rather than a directory. */
  artifact?: ArtifactSummary;
  /** What the reader should know about this run: what an archive lacked, what was skipped. */
  notes?: string[];
}

/** The archive or image an audit read, and where in it the audited root is. */
export interface ArtifactSummary {
  kind: 'archive' | 'image';
  /** As given: a path, or 'stdin'. */
  file: string;
  /** The audited directory inside it: '.' in an archive, an absolute path (--image-root) in an image. */
  root: string;
  /** Images: the name it was picked by, its layers, and its config's User. */
  ref?: string | undefined;
  layers?: number;
  user?: string | undefined;
}

export interface ReportSummary {
  entries: number;
  errors: number;
  warnings: number;
  infos: number;
  elapsedMs: number;
  /** With --baseline: what it suppressed and which of its entries no longer occur. */
  baseline?: BaselineOutcome;
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
  /** Streaming formats: what goes before a chunk of serialized findings joined by ITEM_SEPARATOR. */
  serializedFinding?(): string;
}

export interface ReporterOptions {
  paint: Paint;
  /** List info findings one by one (text); otherwise they are counted per rule. */
  verbose: boolean;
  /** The repository's root (--github-root, GITHUB_WORKSPACE): annotations name files relative to it. */
  githubRoot?: string | undefined;
}
