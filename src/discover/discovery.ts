import type { ValueSource } from './source.js';
import { formatOctal } from '../mode/bits.js';
import type { ProcessFacts, UnitUmask } from './facts.js';
import { where } from './located.js';

/** A role as the host shows it: who runs the application's code there, and under which umask. */
export interface DiscoveredRole {
  name: string;
  /** A user name from a config file, or the uid of a running process. */
  user: string | number;
  /** The primary group where a source sets it: a pool's `group`, a process's gid. */
  group?: string | number | undefined;
  /** The group set of a running process, primary first. */
  gids?: number[] | undefined;
  /**
   * php-fpm workers call initgroups(user, pool group): the pool's group and every group listing
   * the user, but not the user's own primary group unless it is one of those.
   */
  initgroups?: boolean | undefined;
  umask?: number | undefined;
  /** What a config file declares when a running process gave the user: a mismatch is a note. */
  declaredUser?: { user: string; source: ValueSource } | undefined;
  sources: ValueSource[];
}

export interface Discovery {
  roles: DiscoveredRole[];
  /** Contradictions worth a look, and what could not be read. */
  notes: string[];
}

/** The application's root as given and with its symlinks resolved (a release behind `current`). */
export interface Application {
  path: string;
  real: string;
}

export function processSource(
  field: ValueSource['field'],
  what: string,
  process: ProcessFacts,
  extra: Partial<ValueSource> = {},
): ValueSource {
  return { field, kind: 'process', text: `${what}, pid ${process.pid}`, pid: process.pid, ...extra };
}

export function fileSource(
  field: ValueSource['field'],
  kind: ValueSource['kind'],
  what: string,
  at: { file: string; line: number },
  extra: Partial<ValueSource> = {},
): ValueSource {
  return { field, kind, text: `${what} (${where(at)})`, file: at.file, line: at.line, ...extra };
}

export function unitSource(unit: UnitUmask): ValueSource {
  return unit.file
    ? {
        field: 'umask',
        kind: 'systemd',
        text: `UMask=${formatOctal(unit.umask)} of ${unit.unit} (${unit.file}:${unit.line})`,
        unit: unit.unit,
        file: unit.file,
        line: unit.line,
      }
    : { field: 'umask', kind: 'systemd', text: `${unit.unit} sets no UMask= (systemd's default 0022)`, unit: unit.unit };
}

/** The process's gid first, then its supplementary groups, each once. */
export function processGids(process: ProcessFacts): number[] {
  return [...new Set([process.gid, ...process.groups])];
}
