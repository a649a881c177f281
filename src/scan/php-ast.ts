/**
 * The few shapes of php-parser's AST the scan reads, as plain records. php-parser's own typings
 * declare classes and miss fields it really emits (namedargument, enum), so the scan reads nodes
 * through these guards instead.
 */
export interface PhpNode {
  kind: string;
  loc?: { start: { offset: number } } | null;
  [field: string]: unknown;
}

export function isNode(value: unknown): value is PhpNode {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string';
}

export function node(value: unknown): PhpNode | undefined {
  return isNode(value) ? value : undefined;
}

export function nodes(value: unknown): PhpNode[] {
  return Array.isArray(value) ? value.filter(isNode) : [];
}

export function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Offset of a node in the parsed text (-1 when the parser gave none). */
export function offsetOf(n: PhpNode): number {
  return n.loc?.start.offset ?? -1;
}

/** The fields that hold child nodes: everything but positions and scalar attributes. */
export function children(n: PhpNode): PhpNode[] {
  const out: PhpNode[] = [];
  // Own keys only: php-parser's nodes have enumerable methods on their prototype.
  for (const key of Object.keys(n)) {
    if (key === 'loc' || key === 'kind') continue;
    const value = n[key];
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) out.push(item);
    } else if (isNode(value)) out.push(value);
  }
  return out;
}

/** 'chmod' for chmod, \chmod and CHMOD (PHP function names ignore case); undefined for dynamic names. */
export function functionName(what: unknown): string | undefined {
  const n = node(what);
  if (!n || n.kind !== 'name') return undefined;
  const name = text(n.name);
  return name?.replace(/^\\/, '').toLowerCase();
}

/** The name of an identifier node, or of a plain string. */
export function identifier(value: unknown): string | undefined {
  const n = node(value);
  if (n?.kind === 'identifier' || n?.kind === 'name') return text(n.name);
  return text(value);
}

/** A literal string's value (single or double quoted without interpolation), else undefined. */
export function stringValue(value: unknown): string | undefined {
  const n = node(value);
  return n?.kind === 'string' ? text(n.value) : undefined;
}

/** Function-like nodes: each has its own variables. */
export const FUNCTION_KINDS = new Set(['function', 'method', 'closure', 'arrowfunc']);
/** Class-like nodes: each has its own properties and constants. */
export const CLASS_KINDS = new Set(['class', 'trait', 'interface', 'enum']);
