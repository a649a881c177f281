/** Stable rule ids: they appear in configs, JSON, SARIF and docs/rules.md, so never rename one. */
export const RULE_IDS = [
  'access-denied',
  'traverse-denied',
  'access-excess',
  'world-writable',
  'secret-exposed',
  'special-bit',
  'mode-drift',
  'owner-mismatch',
  'cross-context',
  'hardcoded-mode',
  'walk-error',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

export const SEVERITIES = ['error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
