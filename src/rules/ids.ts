// The rule ids are words of the config (policy/schema.ts validates `rules`), so they live in
// policy/; this name stays for the modules that import them from here.
export { RULE_IDS, SEVERITIES, type RuleId, type Severity } from '../policy/rule-ids.js';
