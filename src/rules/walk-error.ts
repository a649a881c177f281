import type { Candidate } from './contract.js';
import { candidateKey, type Rule } from './rule.js';

export interface WalkProblem {
  message: string;
  code: string | undefined;
}

export function walkErrorCandidate(severity: Candidate['severity'], rel: string, problem: WalkProblem): Candidate {
  return {
    rule: 'walk-error',
    severity,
    key: candidateKey('walk-error', severity, -1),
    rel,
    inode: { type: 'unknown', mode: 0, uid: -1, gid: -1 },
    subject: -1,
    detail: 0,
    entries: 1,
    extra: problem,
  };
}

export const walkError: Rule = {
  id: 'walk-error',
  title: 'An entry could not be read',
  defaultSeverity: 'error',
  summary: 'permcheck could not list a directory or read an entry, so it cannot vouch for what is there',
  scope: 'entry',
  aggregate: false,
  describe(c) {
    const problem = c.extra as WalkProblem;
    const fix =
      problem.code === 'EACCES' || problem.code === 'EPERM'
        ? 'run permcheck as root, or as a user who may list it, to audit what is inside'
        : undefined;
    return { message: problem.message, ...(fix ? { advice: fix } : {}), ...(problem.code ? { extra: { code: problem.code } } : {}) };
  },
};
