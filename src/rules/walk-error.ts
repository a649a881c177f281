import type { Candidate } from './contract.js';
import { candidateKey, type Rule } from './rule.js';

export interface WalkProblem {
  message: string;
  code: string | undefined;
}

/** A walk-error candidate's payload: what went wrong. */
export interface WalkErrorPayload {
  rule: 'walk-error';
  problem: WalkProblem;
}

export const walkErrorPayload = {
  encode: (problem: WalkProblem): WalkErrorPayload => ({ rule: 'walk-error', problem }),
  decode(c: Candidate): WalkProblem {
    if (c.extra?.rule !== 'walk-error') throw new Error(`a walk-error candidate for ${c.rel} carries no problem`);
    return c.extra.problem;
  },
};

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
    extra: walkErrorPayload.encode(problem),
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
    const problem = walkErrorPayload.decode(c);
    const fix =
      problem.code === 'EACCES' || problem.code === 'EPERM'
        ? 'run permcheck as root, or as a user who may list it, to audit what is inside'
        : undefined;
    return { message: problem.message, ...(fix ? { advice: fix } : {}), ...(problem.code ? { extra: { code: problem.code } } : {}) };
  },
};
