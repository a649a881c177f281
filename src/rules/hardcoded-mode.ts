import type { AuditSettings, Candidate } from './contract.js';
import { formatOctal } from '../mode/bits.js';
import { describeModeSite, resultingMode } from '../scan/meaning.js';
import type { ModeSite, ScanNote } from '../scan/types.js';
import type { Severity } from './ids.js';
import { candidateKey, type Rule } from './rule.js';
import { wordList } from '../text/word-list.js';

/**
 * What a candidate of this rule carries: a call site in the PHP code (with the roles that lose
 * access where the scan could tell the directory it writes to), or a file the scan could not read
 * completely.
 */
export type HardcodedModeExtra = { rule?: 'hardcoded-mode' } & (
  { kind: 'site'; site: ModeSite; groupRoles: string[]; writesIn?: { dir: string; breaks: string[] } } | { kind: 'note'; note: ScanNote }
);

/**
 * Whether the mode keeps roles that share a group from each other, or opens entries to everyone:
 * files without group write, directories without group write and search, anything world-writable, a
 * umask that takes group write away or leaves world write. A group-writable mode is only context.
 */
export function keepsGroupOut(site: ModeSite): boolean {
  if (site.applies === 'umask') return (site.mode & 0o020) !== 0 || (site.mode & 0o002) === 0;
  const mode = site.effect.kind === 'create' ? site.mode : (resultingMode(site, 0) ?? site.mode);
  const group = site.applies === 'directory' ? 0o030 : 0o020;
  return (mode & group) !== group || (mode & 0o002) !== 0;
}

/**
 * The severity of a site, unless the config sets the rule's: an error where the scan saw it break a
 * role in the directory it writes to; a warning for the application's own code that keeps the group
 * out; info for dependencies (vendor/), dev dependencies and modes that do no harm.
 */
export function siteSeverity(site: ModeSite, breaks: readonly string[], settings: AuditSettings): Severity | undefined {
  const configured = settings.severities['hardcoded-mode'];
  if (configured === 'off') return undefined;
  if (configured) return configured;
  if (breaks.length > 0) return 'error';
  return keepsGroupOut(site) && site.package === undefined ? 'warning' : 'info';
}

export function siteCandidate(severity: Severity, extra: HardcodedModeExtra & { kind: 'site' }): Candidate {
  return {
    rule: 'hardcoded-mode',
    severity,
    key: candidateKey('hardcoded-mode', severity, -1),
    rel: extra.site.file,
    inode: { type: 'file', mode: 0, uid: -1, gid: -1 },
    subject: -1,
    detail: extra.site.line,
    entries: 1,
    extra,
  };
}

export function noteCandidate(note: ScanNote): Candidate {
  return {
    rule: 'hardcoded-mode',
    severity: 'info',
    key: candidateKey('hardcoded-mode', 'info', -1),
    rel: note.file,
    inode: { type: 'file', mode: 0, uid: -1, gid: -1 },
    subject: -1,
    detail: 0,
    entries: 1,
    extra: { kind: 'note', note } satisfies HardcodedModeExtra,
  };
}

export const hardcodedMode: Rule = {
  id: 'hardcoded-mode',
  title: 'A mode hard-coded in PHP, whatever the umask',
  defaultSeverity: 'warning',
  summary:
    'code calls chmod, mkdir or umask with a literal mode (or a setting defines one): what it creates gets that mode whatever umask the roles run under',
  scope: 'entry',
  aggregate: false,
  describe(c) {
    const extra = c.extra as HardcodedModeExtra;
    if (extra.kind === 'note') {
      const { note } = extra;
      return { message: `not scanned completely for hard-coded modes: ${note.message}`, extra: { reason: note.reason } };
    }
    const { site, groupRoles, writesIn } = extra;
    const advice = describeModeSite(site, { groupRoles: writesIn && writesIn.breaks.length > 0 ? writesIn.breaks : groupRoles });
    const where = site.package ? ` (${site.package.name}${site.package.dev ? ', a dev dependency' : ''})` : '';
    const consequence =
      writesIn && writesIn.breaks.length > 0
        ? `; it writes in ${writesIn.dir}, where ${wordList(writesIn.breaks)} then lose access (see cross-context)`
        : writesIn
          ? `; it writes in ${writesIn.dir}`
          : '';
    return {
      message: `line ${site.line}: ${site.call}${where}: ${advice.meaning}${consequence}`,
      advice: advice.fix,
      extra: {
        line: site.line,
        column: site.column,
        call: site.call,
        mode: formatOctal(site.mode),
        applies: site.applies,
        effect: site.effect.kind,
        ...(site.via ? { via: site.via } : {}),
        ...(site.valueLine ? { valueLine: site.valueLine } : {}),
        ...(site.package ? { package: site.package.name } : {}),
        ...(writesIn ? { writesIn: writesIn.dir } : site.target ? { target: site.target.path } : {}),
      },
    };
  },
};
