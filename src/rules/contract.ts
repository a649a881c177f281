import type { Names } from '../access/describe.js';
import type { Inode } from '../access/types.js';
import type { EntryPolicy } from '../policy/compile.js';
import type { Change } from '../change/change.js';
import type { Description } from '../change/subtree.js';
import type { Subject } from '../roles/subject.js';
import type { RuleId, Severity } from '../rules/ids.js';
import type { CrossContextExtra } from './cross-context.js';
import type { HardcodedModeExtra } from './hardcoded-mode.js';
import type { OwnerPayload } from './owner-mismatch.js';
import type { SecretContent } from '../secret/content.js';
import type { ExposurePayload } from './secret-exposed.js';
import type { StrangerPayload } from './access-excess.js';
import type { TraversePayload } from './traverse-denied.js';
import type { WalkErrorPayload } from './walk-error.js';

export type { Subject };

/**
 * A finding before it has words: small and cheap, because most are folded into an aggregate
 * before anyone reads them. Messages and fixes are written only when a candidate is emitted.
 */
export interface Candidate {
  rule: RuleId;
  severity: Severity;
  /** Candidates with the same key below a directory can be reported once at the directory. */
  key: number;
  rel: string;
  inode: Inode;
  /** Index into the subjects, or -1 when no role applies. */
  subject: number;
  /** Rule-specific small datum (missing bits, expected mode...): each rule encodes and decodes its own. */
  detail: number;
  /** 1, or how many entries an aggregate covers. */
  entries: number;
  /** An aggregate's entries below its top that lack the finding (audit/aggregate.ts); absent when none do. */
  exceptions?: Exceptions;
  /** Rule-specific data that does not fit in `detail`, tagged with the rule that made it. */
  extra?: Payload;
  /** The bytes of `rel`, when it is not valid UTF-8: fix commands must name the real entry. */
  raw?: Uint8Array;
  /** The plan's change of this entry (plan/change.ts), attached once the entry is planned. */
  change?: Change;
  /** Why the plan has no change although the entry has findings. */
  noFix?: string;
  /**
   * For a finding that stands for a subtree (an aggregate, or what a blocking directory hides): the
   * plan's commands for that subtree; null when they would be too many or unsafe to print.
   */
  description?: Description | null;
  /**
   * Its path passes through a directory someone untrusted can change (they could swap it for a
   * symlink before the fix is pasted): its fix is a `permcheck fix` line, never a command on the path.
   */
  pathUnsafe?: true;
  /**
   * A command in its advice would act on a path someone untrusted can change (a recursive setfacl
   * below it, a chmod of it, or of a directory above the root): the advice says it in words instead.
   */
  adviceUnsafe?: true;
}

/**
 * Entries below an aggregate's top that lack its finding: an entry, or a directory that lacks it with
 * every entry below it (`entries` counts them all, directories only for a directory-scope rule).
 */
export interface Excepted {
  path: string;
  entries: number;
}

/** What lacks an aggregate's finding: the first few named, all counted. */
export interface Exceptions {
  /** The first LISTED (audit/aggregate.ts) in walk order. */
  listed: Excepted[];
  /** How many entries and directories-with-all-below there are, named or not. */
  parts: number;
  /** How many entries they count. */
  entries: number;
}

/** The data a rule attaches to its candidates beyond `detail`; each is defined beside its rule. */
export type Payload =
  TraversePayload | WalkErrorPayload | OwnerPayload | ExposurePayload | StrangerPayload | CrossContextExtra | HardcodedModeExtra;

/** What one entry looks like to the rules. The engine reuses one object per walk. */
export interface EntryFacts {
  rel: string;
  /** The bytes of `rel` when it is not valid UTF-8. */
  raw: Uint8Array | undefined;
  inode: Inode;
  isDir: boolean;
  policy: EntryPolicy;
  /** Per subject: may it reach this entry (search on every directory above)? */
  reachable: Uint8Array;
  /** Per subject: the r, w, x bits it may use on the entry itself, and WRITE_AND_SEARCH (access/permission.ts). */
  granted: Uint8Array;
  /** Its directory has a default ACL: it was created from that, not under a umask. */
  underDefaultAcl: boolean;
  /** For a file the policy marks secret: what its content holds (secret/content.ts), when it was asked. */
  secretContent?: SecretContent | undefined;
}

/** Settings of one audit run that rules consult: plain data. */
export interface AuditSettings {
  subjects: readonly Subject[];
  /** Configured severity per rule, or 'off'; rules without an entry use their default. */
  severities: Partial<Record<RuleId, Severity | 'off'>>;
  /** The umask that applies to entries owned by each uid (the owner's role), and the default. */
  umaskByUid: ReadonlyMap<number, number>;
  defaultUmask: number;
  /** The group most roles share (www-data in the usual recipe): fixes give entries this group. */
  sharedGid: number | undefined;
  /** The preset in use: where a role's umask is set depends on the framework (magento_umask). */
  preset?: string | undefined;
  /** Users whose directories a recursive command may run inside: root and the runner. */
  trustedUids: readonly number[];
  /**
   * No one untrusted can rename or replace the root or a directory above it: a fix pasted in the root
   * lands where the audit looked. False makes every fix a `permcheck fix` line.
   */
  rootSafe: boolean;
  /**
   * Nor can anyone untrusted change the root itself (add or swap a name in it): a command that writes a
   * file in the root (echo 002 > magento_umask) may be printed. Absent: as rootSafe.
   */
  rootInsideSafe?: boolean;
  /** No one else can change the tree before its fixes run (an archive's entries): every path is safe to name. */
  raceFree?: boolean;
  /** How to run `permcheck fix` on this tree with the audit's options, for fixes too long to print. */
  fixInvocation?: string | undefined;
}

/** What turning a candidate into words needs. */
export interface DescribeContext {
  settings: AuditSettings;
  names: Names;
}

/** A finding as reporters print it and JSON carries it. */
export interface Finding {
  rule: RuleId;
  severity: Severity;
  path: string;
  role?: string;
  message: string;
  /** One command line to paste in a shell from the audited directory. */
  fix?: string;
  /** What to do that is not a command here: a umask in a unit file, magento_umask, a code change. */
  advice?: string;
  /** Why there is no fix although something is wrong. */
  noFix?: string;
  entries: number;
  /** The path's real bytes in hex, when they are not UTF-8 (path then shows U+FFFD). */
  pathBytes?: string;
  /** An aggregate's exceptions: the first entries below its path that lack the finding... */
  exceptions?: Excepted[];
  /** ...and how many entries lack it in all. */
  exceptionCount?: number;
  [extra: string]: unknown;
}
