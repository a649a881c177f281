import { RULES } from '../rules/index.js';
import type { Candidate, DescribeContext, Finding } from './types.js';

/** A candidate in words: the only place findings get their message and fix. */
export function toFinding(candidate: Candidate, context: DescribeContext): Finding {
  const { message, fix } = RULES[candidate.rule].describe(candidate, context);
  const subject = candidate.subject >= 0 ? context.settings.subjects[candidate.subject] : undefined;
  return {
    rule: candidate.rule,
    severity: candidate.severity,
    path: candidate.rel,
    ...(subject ? { role: subject.name } : {}),
    message,
    ...(fix ? { fix } : {}),
    entries: candidate.entries,
  };
}
