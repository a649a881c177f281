import { accessDenied } from './access-denied.js';
import { accessExcess } from './access-excess.js';
import { crossContext } from './cross-context.js';
import { hardcodedMode } from './hardcoded-mode.js';
import type { RuleId } from './ids.js';
import { modeDrift } from './mode-drift.js';
import { ownerMismatch } from './owner-mismatch.js';
import type { Rule } from './rule.js';
import { secretExposed } from './secret-exposed.js';
import { specialBit } from './special-bit.js';
import { traverseDenied } from './traverse-denied.js';
import { walkError } from './walk-error.js';
import { worldWritable } from './world-writable.js';

/** Every rule by id: feeds the engine, the reporters, SARIF and --help. */
export const RULES: Record<RuleId, Rule> = {
  'access-denied': accessDenied,
  'traverse-denied': traverseDenied,
  'access-excess': accessExcess,
  'world-writable': worldWritable,
  'secret-exposed': secretExposed,
  'special-bit': specialBit,
  'mode-drift': modeDrift,
  'owner-mismatch': ownerMismatch,
  'cross-context': crossContext,
  'hardcoded-mode': hardcodedMode,
  'walk-error': walkError,
};

/** The rules that look at each entry, in report order. */
export const ENTRY_RULES: readonly Rule[] = Object.values(RULES).filter((rule) => rule.check !== undefined);
