import { RULES } from '../rules/index.js';
import type { Candidate, DescribeContext, Finding } from './types.js';

/** A candidate in words: the only place findings get their message and fix. */
export function toFinding(candidate: Candidate, context: DescribeContext): Finding {
  const rule = RULES[candidate.rule];
  const described = rule.describe(candidate, context);
  const { fix } = described;
  const below = candidate.entries - 1;
  // An aggregate: the top entry's words stand for the whole subtree.
  const unit = rule.scope === 'directory' ? ['directory', 'directories'] : ['entry', 'entries'];
  const message =
    rule.aggregate && below > 0
      ? `${described.message}; the same holds for the ${below.toLocaleString('en-US')} ${below === 1 ? unit[0] : unit[1]} below it`
      : described.message;
  const subject = candidate.subject >= 0 ? context.settings.subjects[candidate.subject] : undefined;
  return {
    rule: candidate.rule,
    severity: candidate.severity,
    path: candidate.rel,
    ...(subject ? { role: subject.name } : {}),
    message,
    ...(fix ? { fix } : {}),
    entries: candidate.entries,
    ...(candidate.raw ? { pathBytes: Buffer.from(candidate.raw).toString('hex') } : {}),
    ...described.extra,
  };
}
