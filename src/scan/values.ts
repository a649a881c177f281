import { functionName, identifier, node, nodes, offsetOf, stringValue, text, type PhpNode } from './php-ast.js';
import type { Assignment, FileIndex, FunctionScope } from './scopes.js';
import type { ModeOrigin } from './types.js';

/** A mode the code fixes: its value, the other literal values it can take, and where it comes from. */
export interface ModeValue {
  mode: number;
  alternatives: number[];
  origin: ModeOrigin;
  via?: string;
  /** Offset (in the parsed text) of the literal that gives `mode`. */
  valueOffset: number;
}

/**
 * What an expression comes to: a fixed mode, 'umask' when it is computed from umask() (so it
 * follows the operator's umask and is not hard-coded), or undefined when the scan cannot tell.
 */
export type Evaluated = ModeValue | 'umask' | undefined;

export interface Context {
  scope: FunctionScope;
  index: FileIndex;
  /** Where the value is used: the assignment before it wins. */
  at: number;
}

const MAX_DEPTH = 8;

/** PHP's integer literal syntax: 0644, 0o644, 0x1ff, 0b…, 420, with _ separators. */
export function phpInteger(raw: string): number | undefined {
  const digits = raw.replace(/_/g, '');
  let value: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(digits)) value = parseInt(digits.slice(2), 16);
  else if (/^0[bB][01]+$/.test(digits)) value = parseInt(digits.slice(2), 2);
  else if (/^0[oO][0-7]+$/.test(digits)) value = parseInt(digits.slice(2), 8);
  else if (/^0[0-7]*$/.test(digits)) value = parseInt(digits, 8);
  else if (/^[1-9][0-9]*$/.test(digits)) value = parseInt(digits, 10);
  else return undefined;
  return Number.isSafeInteger(value) ? value : undefined;
}

const literal = (mode: number, offset: number): ModeValue => ({ mode, alternatives: [], origin: 'literal', valueOffset: offset });

const BINARY: Record<string, (a: number, b: number) => number> = {
  '&': (a, b) => a & b,
  '|': (a, b) => a | b,
  '^': (a, b) => a ^ b,
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '<<': (a, b) => a << b,
  '>>': (a, b) => a >> b,
};

/** Functions that turn a string into a mode: octdec('0755'), intval('755', 8). */
function stringToMode(call: PhpNode): number | undefined {
  const name = functionName(call.what);
  const args = nodes(call.arguments);
  const arg = stringValue(args[0]);
  if (arg === undefined) return undefined;
  const base = name === 'octdec' ? 8 : name === 'intval' ? phpInteger(String(node(args[1])?.value ?? '10')) : undefined;
  if (base !== 8 || !/^[0-7]+$/.test(arg.trim())) return undefined;
  return parseInt(arg.trim(), 8);
}

export function evaluate(expr: PhpNode | undefined, ctx: Context, depth = 0): Evaluated {
  if (!expr || depth > MAX_DEPTH) return undefined;
  switch (expr.kind) {
    case 'number': {
      const value = phpInteger(text(expr.value) ?? '');
      return value === undefined ? undefined : literal(value, offsetOf(expr));
    }
    case 'cast':
      return expr.type === 'int' ? evaluate(node(expr.expr), ctx, depth + 1) : undefined;
    case 'silent':
      return evaluate(node(expr.expr), ctx, depth + 1);
    case 'unary': {
      const inner = evaluate(node(expr.what), ctx, depth + 1);
      if (inner === undefined || inner === 'umask') return inner;
      const op =
        expr.type === '~' ? (v: number) => ~v : expr.type === '-' ? (v: number) => -v : expr.type === '+' ? (v: number) => v : undefined;
      return op ? { ...inner, mode: op(inner.mode), alternatives: inner.alternatives.map(op) } : undefined;
    }
    case 'bin':
      return expr.type === '??' ? choice([node(expr.left), node(expr.right)], ctx, depth) : binary(expr, ctx, depth);
    case 'retif': {
      // `a ?: b` has no true branch: the test is the value.
      const whenTrue = node(expr.trueExpr) ?? node(expr.test);
      return choice([whenTrue, node(expr.falseExpr)], ctx, depth);
    }
    case 'call': {
      const name = functionName(expr.what);
      if (name === 'umask' && nodes(expr.arguments).length === 0) return 'umask';
      const value = stringToMode(expr);
      return value === undefined ? undefined : literal(value, offsetOf(expr));
    }
    case 'variable':
      return variable(text(expr.name), ctx, depth);
    case 'propertylookup':
    case 'nullsafepropertylookup':
    case 'staticlookup':
      return member(expr, ctx, depth);
    case 'name':
      return named(text(expr.name)?.replace(/^\\/, ''), ctx, depth);
    default:
      return undefined;
  }
}

function binary(expr: PhpNode, ctx: Context, depth: number): Evaluated {
  const op = BINARY[text(expr.type) ?? ''];
  if (!op) return undefined;
  const left = evaluate(node(expr.left), ctx, depth + 1);
  const right = evaluate(node(expr.right), ctx, depth + 1);
  // 0666 & ~umask(), 0777 - umask(): the operator's umask decides.
  if (left === 'umask' || right === 'umask') return 'umask';
  if (!left || !right) return undefined;
  const origin = left.origin !== 'literal' ? left : right;
  return { ...origin, mode: op(left.mode, right.mode), alternatives: [] };
}

/**
 * Branches of a ternary or ??: a literal branch is the mode the code falls back to (Smarty's
 * `property_exists(…) ? $smarty->_file_perms : 0644`), the last literal first; a branch computed
 * from umask() makes the whole expression follow the umask.
 */
function choice(branches: (PhpNode | undefined)[], ctx: Context, depth: number): Evaluated {
  const values = branches.map((b) => evaluate(b, ctx, depth + 1));
  if (values.includes('umask')) return 'umask';
  const fixed = values.filter((v): v is ModeValue => v !== undefined && v !== 'umask').reverse();
  const [first, ...rest] = fixed;
  if (!first) return undefined;
  return { ...first, alternatives: unique([...first.alternatives, ...rest.flatMap((v) => [v.mode, ...v.alternatives])], first.mode) };
}

function unique(values: number[], except: number): number[] {
  return [...new Set(values)].filter((v) => v !== except);
}

/**
 * Everything a name is given in its scope. The value is fixed only when every assignment is;
 * the one in force is the last before the use, else the parameter's default.
 */
function combine(candidates: (Assignment & { origin: ModeOrigin })[], via: string, ctx: Context, depth: number): Evaluated {
  if (candidates.length === 0) return undefined;
  const values: { value: ModeValue; offset: number; origin: ModeOrigin }[] = [];
  for (const candidate of candidates) {
    const value = evaluate(candidate.value, ctx, depth + 1);
    if (value === undefined || value === 'umask') return value;
    values.push({ value, offset: candidate.offset, origin: candidate.origin });
  }
  const before = values.filter((v) => v.offset < ctx.at && v.origin !== 'parameter');
  const chosen = before[before.length - 1] ?? values.find((v) => v.origin === 'parameter') ?? values[0]!;
  const others = values.filter((v) => v !== chosen).flatMap((v) => [v.value.mode, ...v.value.alternatives]);
  return {
    mode: chosen.value.mode,
    alternatives: unique([...chosen.value.alternatives, ...others], chosen.value.mode),
    origin: chosen.origin,
    via,
    valueOffset: chosen.value.valueOffset,
  };
}

function variable(name: string | undefined, ctx: Context, depth: number): Evaluated {
  if (!name || name === 'this') return undefined;
  let scope: FunctionScope | undefined = ctx.scope;
  while (scope && !scope.params.has(name) && !scope.assignments.has(name)) {
    const captured: boolean = scope.captures === 'all' || (scope.captures instanceof Set && scope.captures.has(name));
    scope = captured ? scope.parent : undefined;
  }
  if (!scope) return undefined;
  const candidates: (Assignment & { origin: ModeOrigin })[] = [];
  if (scope.params.has(name)) {
    const fallback = scope.params.get(name);
    // A parameter without a default is whatever the caller passes.
    if (!fallback) return undefined;
    candidates.push({ value: fallback, offset: -1, origin: 'parameter' });
  }
  for (const a of scope.assignments.get(name) ?? []) candidates.push({ ...a, origin: 'variable' });
  const inner = { ...ctx, scope };
  return combine(candidates, `$${name}`, inner, depth);
}

/** $this->p, self::$p, static::$p, self::C, static::C, ThisClass::C. */
function member(expr: PhpNode, ctx: Context, depth: number): Evaluated {
  const cls = ctx.scope.cls;
  const owner = node(expr.what);
  if (!cls || !owner) return undefined;
  const self =
    owner.kind === 'selfreference' || owner.kind === 'staticreference' || (owner.kind === 'name' && identifier(owner) === cls.name);
  const offset = node(expr.offset);
  if (expr.kind === 'staticlookup' && self && offset?.kind === 'identifier') {
    const name = identifier(offset)!;
    const value = cls.constants.get(name);
    const found = value ? evaluate(value, { ...ctx, at: Infinity }, depth + 1) : undefined;
    return found && found !== 'umask' ? { ...found, origin: 'constant', via: `self::${name}` } : found;
  }
  const isThis = owner.kind === 'variable' && owner.name === 'this';
  const name = expr.kind === 'staticlookup' ? (self ? text(offset?.name) : undefined) : isThis ? identifier(offset) : undefined;
  const property = name ? cls.properties.get(name) : undefined;
  if (!name || !property) return undefined;
  const candidates: (Assignment & { origin: ModeOrigin })[] = [];
  if (property.declared !== undefined) {
    // A declared property without a default is null until assigned.
    if (property.declared === null) return undefined;
    candidates.push({ value: property.declared, offset: -1, origin: 'property' });
  }
  for (const a of property.assignments) candidates.push({ ...a, origin: 'property' });
  // Assignments in other methods run in any order: the declared default stands for them all.
  const found = combine(candidates, expr.kind === 'staticlookup' ? `self::$${name}` : `$this->${name}`, { ...ctx, at: -1 }, depth);
  return found && found !== 'umask' ? { ...found, origin: 'property' } : found;
}

function named(name: string | undefined, ctx: Context, depth: number): Evaluated {
  const definitions = name ? ctx.index.constants.get(name) : undefined;
  if (!name || !definitions) return undefined;
  const found = combine(
    definitions.map((d) => ({ ...d, origin: 'constant' as const })),
    name,
    { ...ctx, at: Infinity },
    depth,
  );
  return found && found !== 'umask' ? { ...found, origin: 'constant', via: name } : found;
}
