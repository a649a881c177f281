import { grouped } from '../text/grouped.js';
import { changeCommands, descriptionCommands } from '../change/render.js';
import { shellQuote } from '../fix/shell.js';
import { checkGlob, compileGlob, literalGlob } from '../policy/glob.js';
import { formatOctal } from '../mode/bits.js';
import type { Candidate, DescribeContext, Finding } from '../rules/contract.js';
import { RULES } from '../rules/index.js';

/** A candidate in words: the only place findings get their message, their fix and their advice. */
export function toFinding(candidate: Candidate, context: DescribeContext): Finding {
  const rule = RULES[candidate.rule];
  const described = rule.describe(candidate, context);
  const below = candidate.entries - 1;
  // An aggregate: the top entry's words stand for the whole subtree.
  const unit = rule.scope === 'directory' ? ['directory', 'directories'] : ['entry', 'entries'];
  // Exceptions: "the same holds for 1,203 of the 1,209 entries below it" (their paths are `exceptions`).
  const all = below + (candidate.exceptions?.entries ?? 0);
  const share = all > below ? `${grouped(below)} of the ${grouped(all)}` : `the ${grouped(below)}`;
  const message =
    rule.aggregate && below > 0
      ? `${described.message}; the same holds for ${share} ${all === 1 ? unit[0] : unit[1]} below it`
      : described.message;
  const subject = candidate.subject >= 0 ? context.settings.subjects[candidate.subject] : undefined;
  const fix = fixOf(candidate, context);
  return {
    rule: candidate.rule,
    severity: candidate.severity,
    path: candidate.rel,
    ...(subject ? { role: subject.name } : {}),
    message,
    ...(fix ? { fix } : {}),
    ...(described.advice ? { advice: described.advice } : {}),
    ...(candidate.noFix && !fix ? { noFix: candidate.noFix } : {}),
    entries: candidate.entries,
    ...(candidate.exceptions ? { exceptions: candidate.exceptions.listed, exceptionCount: candidate.exceptions.entries } : {}),
    // What the rule saw: a baseline's fingerprint is made of this, never of the message.
    found: { type: candidate.inode.type, mode: formatOctal(candidate.inode.mode), uid: candidate.inode.uid, gid: candidate.inode.gid },
    ...(candidate.raw ? { pathBytes: Buffer.from(candidate.raw).toString('hex') } : {}),
    ...described.extra,
  };
}

/**
 * The plan's commands for what the finding covers: its entry's change, or, for a finding that stands
 * for a subtree, the commands for that subtree; `permcheck fix` when those would be too many, or unsafe
 * to paste: a path through a directory someone untrusted can change could lead elsewhere by then.
 */
function fixOf(candidate: Candidate, { settings, names }: DescribeContext): string | undefined {
  if (candidate.description !== undefined) {
    if (candidate.description === null) return pointer(candidate, settings.fixInvocation, true);
    const commands = descriptionCommands(candidate.description, names);
    return commands.length > 0 ? commands.join(' && ') : undefined;
  }
  if (!candidate.change) return undefined;
  if (candidate.pathUnsafe) return pointer(candidate, settings.fixInvocation, false);
  return changeCommands({ rel: candidate.rel, raw: candidate.raw }, candidate.change, names).join(' && ');
}

/** `permcheck fix` for this entry (and, for a subtree, what is below it): it applies the same plan through checked descriptors. */
export function pointer(
  candidate: { rel: string; raw?: Uint8Array | undefined },
  invocation: string | undefined,
  subtree: boolean,
): string | undefined {
  if (!invocation) return undefined;
  const only = onlyGlob(candidate, subtree);
  return only === undefined ? invocation : `${invocation} --only ${onlyArgument(only)}`;
}

/** An --only glob as a shell word ('.' needs no quotes). */
export const onlyArgument = (glob: string): string => (glob === '.' ? glob : shellQuote(glob));

/** The --only glob for an entry (and, for a subtree, what is below it); undefined for the whole tree. */
export function onlyGlob(candidate: { rel: string; raw?: Uint8Array | undefined }, subtree: boolean): string | undefined {
  const rel = candidate.rel;
  if (rel === '.') return subtree ? undefined : '.';
  // --only takes text, and matches names as they decode: bytes that are not UTF-8 are U+FFFD there, so
  // `?` stands for it. That also takes a sibling that differs only there, no wider.
  const glob = candidate.raw ? literalGlob(rel).replaceAll('\uFFFD', '?') : literalGlob(rel);
  const only = subtree ? `${glob}/**` : glob;
  if (takes(only, rel)) return only;
  // A name the glob cannot say (the checks would read it otherwise): its directory's subtree, which the
  // same plan covers, rather than a line that fails or takes nothing.
  const slash = rel.lastIndexOf('/');
  return slash < 0 ? undefined : onlyGlob({ rel: rel.slice(0, slash), raw: candidate.raw }, true);
}

/** Whether --only GLOB, read as the audit reads it, takes the entry at `rel`. */
function takes(glob: string, rel: string): boolean {
  const checked = checkGlob(glob);
  return checked.ok && compileGlob(checked.pattern)(rel);
}
