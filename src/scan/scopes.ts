import { CLASS_KINDS, FUNCTION_KINDS, children, identifier, node, nodes, offsetOf, stringValue, text, type PhpNode } from './php-ast.js';

/** A value given to a name: the expression, or undefined when it is not a plain `=` (|=, foreach, list…). */
export interface Assignment {
  value: PhpNode | undefined;
  offset: number;
}

export interface ClassScope {
  name: string | undefined;
  constants: Map<string, PhpNode>;
  /** Declared defaults and every `$this->p =` / `self::$p =` in the class. */
  properties: Map<string, { declared: PhpNode | null | undefined; assignments: Assignment[] }>;
  /** The class's own methods by lower-case name: what `$this->chmod()` calls when the class has one. */
  methods: Map<string, FunctionScope>;
}

/** A function, method, closure or arrow function, or the file's top-level code. */
export interface FunctionScope {
  kind: string;
  parent: FunctionScope | undefined;
  /** Variables a closure takes from its parent (`use`); arrow functions see all of them. */
  captures: Set<string> | 'all' | 'none';
  cls: ClassScope | undefined;
  /** Parameters and their default values (null: no default). */
  params: Map<string, PhpNode | null>;
  assignments: Map<string, Assignment[]>;
  /** call and new nodes directly in this scope, in source order. */
  calls: PhpNode[];
  /** Assignments and array entries that can be mode settings. */
  settings: PhpNode[];
}

export interface FileIndex {
  scopes: FunctionScope[];
  /** Global constants from define('X', …) and `const X = …;` in this file. */
  constants: Map<string, Assignment[]>;
  /** The array that holds each settings entry: its siblings say where the setting applies. */
  parents: Map<PhpNode, PhpNode>;
}

const SETTING_KEY = /^(?:permissions?|file_chmod_(?:file|directory))$/;

function newScope(kind: string, parent: FunctionScope | undefined, cls: ClassScope | undefined): FunctionScope {
  return { kind, parent, captures: 'none', cls, params: new Map(), assignments: new Map(), calls: [], settings: [] };
}

function assign(scope: FunctionScope, name: string | undefined, value: PhpNode | undefined, offset: number): void {
  if (!name) return;
  const list = scope.assignments.get(name) ?? [];
  list.push({ value, offset });
  scope.assignments.set(name, list);
}

/** Every variable a destructuring target binds (list($a, [$b]) = …). */
function boundVariables(target: PhpNode, out: string[] = []): string[] {
  if (target.kind === 'variable') {
    const name = text(target.name);
    if (name) out.push(name);
  } else for (const child of children(target)) boundVariables(child, out);
  return out;
}

class Indexer {
  readonly index: FileIndex = { scopes: [], constants: new Map(), parents: new Map() };

  visit(n: PhpNode, scope: FunctionScope): void {
    if (FUNCTION_KINDS.has(n.kind)) return this.enterFunction(n, scope);
    if (CLASS_KINDS.has(n.kind)) return this.enterClass(n);
    switch (n.kind) {
      case 'call':
      case 'new':
        scope.calls.push(n);
        this.define(n);
        break;
      case 'assign':
        this.assignment(n, scope);
        break;
      case 'array':
        for (const item of nodes(n.items)) {
          if (item.kind !== 'entry' || !SETTING_KEY.test(stringValue(item.key) ?? '')) continue;
          scope.settings.push(item);
          this.index.parents.set(item, n);
        }
        break;
      case 'foreach':
        for (const target of [node(n.key), node(n.value)])
          if (target) for (const v of boundVariables(target)) assign(scope, v, undefined, offsetOf(n));
        break;
      case 'static':
        for (const v of nodes(n.variables)) assign(scope, text(node(v.variable)?.name), node(v.defaultValue), offsetOf(v));
        break;
      case 'global':
        for (const v of nodes(n.items)) assign(scope, text(v.name), undefined, offsetOf(v));
        break;
      case 'constantstatement':
        for (const c of nodes(n.constants)) this.constant(identifier(c.name), node(c.value), offsetOf(c));
        break;
    }
    for (const child of children(n)) this.visit(child, scope);
  }

  private assignment(n: PhpNode, scope: FunctionScope): void {
    const left = node(n.left);
    if (!left) return;
    const plain = n.operator === '=';
    const value = plain ? node(n.right) : undefined;
    if (left.kind === 'variable') assign(scope, text(left.name), value, offsetOf(n));
    else if (left.kind === 'list' || left.kind === 'array') for (const v of boundVariables(left)) assign(scope, v, undefined, offsetOf(n));
    else if (left.kind === 'propertylookup' || left.kind === 'staticlookup') {
      const name = left.kind === 'propertylookup' ? identifier(left.offset) : text(node(left.offset)?.name);
      const owner = node(left.what);
      const own = owner?.kind === 'variable' ? owner.name === 'this' : owner?.kind === 'selfreference' || owner?.kind === 'staticreference';
      if (own && name && scope.cls) {
        const property = scope.cls.properties.get(name) ?? { declared: undefined, assignments: [] };
        property.assignments.push({ value, offset: offsetOf(n) });
        scope.cls.properties.set(name, property);
      }
      if (name === '_file_perms' || name === '_dir_perms') scope.settings.push(n);
    } else if (left.kind === 'offsetlookup' && SETTING_KEY.test(stringValue(left.offset) ?? '')) scope.settings.push(n);
  }

  /** define('X', value) anywhere in the file makes X a constant of the file. */
  private define(call: PhpNode): void {
    const what = node(call.what);
    if (call.kind !== 'call' || what?.kind !== 'name' || text(what.name)?.replace(/^\\/, '').toLowerCase() !== 'define') return;
    const [name, value] = nodes(call.arguments);
    this.constant(stringValue(name), value, offsetOf(call));
  }

  private constant(name: string | undefined, value: PhpNode | undefined, offset: number): void {
    if (!name) return;
    const list = this.index.constants.get(name) ?? [];
    list.push({ value, offset });
    this.index.constants.set(name, list);
  }

  private enterFunction(n: PhpNode, outer: FunctionScope): void {
    const inner = n.kind === 'closure' || n.kind === 'arrowfunc';
    const scope = newScope(n.kind, inner ? outer : undefined, outer.cls);
    if (n.kind === 'arrowfunc') scope.captures = 'all';
    if (n.kind === 'closure') scope.captures = new Set(nodes(n.uses).map((u) => text(u.name) ?? ''));
    for (const param of nodes(n.arguments)) {
      const name = identifier(param.name);
      if (name) scope.params.set(name, node(param.value) ?? null);
    }
    this.index.scopes.push(scope);
    const name = n.kind === 'method' ? identifier(n.name) : undefined;
    if (name && outer.cls) outer.cls.methods.set(name.toLowerCase(), scope);
    const body = node(n.body);
    if (body) this.visit(body, scope);
  }

  private enterClass(n: PhpNode): void {
    const cls: ClassScope = { name: identifier(n.name), constants: new Map(), properties: new Map(), methods: new Map() };
    // Property defaults and constants are evaluated in the class, outside any method.
    const scope = newScope('class', undefined, cls);
    this.index.scopes.push(scope);
    for (const member of nodes(n.body)) {
      if (member.kind === 'classconstant') {
        for (const c of nodes(member.constants)) {
          const name = identifier(c.name);
          const value = node(c.value);
          if (name && value) cls.constants.set(name, value);
        }
      } else if (member.kind === 'propertystatement') {
        for (const p of nodes(member.properties)) {
          const name = identifier(p.name);
          if (!name) continue;
          const property = cls.properties.get(name) ?? { declared: undefined, assignments: [] };
          property.declared = node(p.value) ?? null;
          cls.properties.set(name, property);
        }
      }
      this.visit(member, scope);
    }
  }
}

/** Scopes, constants, calls and settings of a parsed file. */
export function indexFile(ast: PhpNode): FileIndex {
  const indexer = new Indexer();
  const top = newScope('file', undefined, undefined);
  indexer.index.scopes.push(top);
  for (const child of children(ast)) indexer.visit(child, top);
  for (const scope of indexer.index.scopes) scope.calls.sort((a, b) => offsetOf(a) - offsetOf(b));
  return indexer.index;
}
