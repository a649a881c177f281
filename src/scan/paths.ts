import { posix } from 'node:path';
import type { EntryKind } from '../mode/creation.js';
import { functionName, node, nodes, offsetOf, stringValue, text, type PhpNode } from './php-ast.js';
import type { Context } from './values.js';
import type { ModeTarget } from './types.js';

/** Laravel's path helpers and WordPress's constants, relative to the application root. */
const ROOT_HELPERS: Record<string, string> = {
  base_path: '',
  storage_path: 'storage',
  public_path: 'public',
  app_path: 'app',
  config_path: 'config',
  database_path: 'database',
  resource_path: 'resources',
};
const ROOT_CONSTANTS: Record<string, string> = { ABSPATH: '', WP_CONTENT_DIR: 'wp-content' };

type Partial = { base: ModeTarget['base']; path: string } | undefined;

function join(left: Partial, right: string): Partial {
  if (!left) return undefined;
  return { base: left.base, path: left.path + right };
}

/** A path expression the code spells out: literals, `.`, __DIR__, dirname(), helpers, variables set once. */
function evaluatePath(expr: PhpNode | undefined, ctx: Context, file: string, depth = 0): Partial {
  if (!expr || depth > 6) return undefined;
  switch (expr.kind) {
    case 'string': {
      const value = text(expr.value) ?? '';
      return { base: value.startsWith('/') ? 'absolute' : 'cwd', path: value };
    }
    case 'magic':
      if (expr.value === '__DIR__') return { base: 'root', path: posix.dirname(file) };
      if (expr.value === '__FILE__') return { base: 'root', path: file };
      return undefined;
    case 'bin': {
      if (expr.type !== '.') return undefined;
      const left = evaluatePath(node(expr.left), ctx, file, depth + 1);
      const right = evaluatePath(node(expr.right), ctx, file, depth + 1);
      return right ? join(left, right.path) : undefined;
    }
    case 'call': {
      const name = functionName(expr.what) ?? '';
      const [first] = nodes(expr.arguments);
      if (name === 'dirname') {
        const inner = evaluatePath(first, ctx, file, depth + 1);
        return inner ? { base: inner.base, path: posix.dirname(inner.path) } : undefined;
      }
      if (name in ROOT_HELPERS) {
        const sub = first ? stringValue(first) : '';
        return sub === undefined ? undefined : { base: 'root', path: posix.join(ROOT_HELPERS[name]!, sub) };
      }
      return undefined;
    }
    case 'name': {
      const name = text(expr.name)?.replace(/^\\/, '') ?? '';
      return name in ROOT_CONSTANTS ? { base: 'root', path: ROOT_CONSTANTS[name]! + '/' } : undefined;
    }
    case 'variable': {
      const assigned = ctx.scope.assignments.get(text(expr.name) ?? '');
      if (!assigned || assigned.length !== 1 || ctx.scope.params.has(text(expr.name) ?? '')) return undefined;
      return evaluatePath(assigned[0]!.value, ctx, file, depth + 1);
    }
    default:
      return undefined;
  }
}

/** The path a call writes to, when the code spells it out; relative to the root when it can be. */
export function targetPath(expr: PhpNode | undefined, ctx: Context, file: string): ModeTarget | undefined {
  const found = evaluatePath(expr, ctx, file);
  if (!found || found.path === '') return undefined;
  if (found.base !== 'root') return { base: found.base, path: found.path };
  const path = posix.normalize(found.path.replace(/^\/+/, '')).replace(/\/$/, '');
  // Outside the root: not a path permcheck audits.
  if (path === '..' || path.startsWith('../')) return undefined;
  return { base: 'root', path: path === '' ? '.' : path };
}

/** Calls that make a file at their first (or, for copy/rename/move, second) argument. */
const FILE_MAKERS: Record<string, number> = {
  file_put_contents: 0,
  fopen: 0,
  touch: 0,
  tempnam: -1,
  copy: 1,
  rename: 1,
  move_uploaded_file: 1,
};

const sameExpression = (a: PhpNode | undefined, b: PhpNode | undefined) =>
  a !== undefined && b !== undefined && a.kind === 'variable' && b.kind === 'variable' && a.name === b.name;

/** The name that says most about a path expression: the variable, property, or last part ("$dir/$file"). */
function nameOf(path: PhpNode): string {
  if (path.kind === 'variable') return text(path.name) ?? '';
  if (path.kind === 'propertylookup') return text(node(path.offset)?.name) ?? '';
  if (path.kind === 'bin' && path.type === '.') return nameOf(node(path.right) ?? path);
  if (path.kind === 'encapsed') {
    const parts = nodes(path.value);
    const last = parts[parts.length - 1];
    const inner = last ? node(last.expression) : undefined;
    return inner && inner !== path ? nameOf(inner) : '';
  }
  if (path.kind === 'string') return text(path.value)?.split('/').pop() ?? '';
  return '';
}

/**
 * Whether a chmod'ed path is a file or a directory, when the call does not say: what the same
 * function did to that variable (mkdir, file_put_contents…), else the variable's name ($dir,
 * $file), else the mode (an x bit for the owner: a directory). `guessed` unless the code said.
 */
export function chmodTarget(path: PhpNode | undefined, mode: number, ctx: Context): { kind: EntryKind; guessed: boolean } {
  for (const call of ctx.scope.calls) {
    if (offsetOf(call) > ctx.at) break;
    const name = functionName(call.what);
    const args = nodes(call.arguments);
    if (name === 'mkdir' && sameExpression(args[0], path)) return { kind: 'directory', guessed: false };
    const at = name ? FILE_MAKERS[name] : undefined;
    if (at !== undefined && at >= 0 && sameExpression(args[at], path)) return { kind: 'file', guessed: false };
  }
  if (path) {
    const assigned = path.kind === 'variable' ? ctx.scope.assignments.get(text(path.name) ?? '') : undefined;
    const fromCall = assigned?.length === 1 ? node(assigned[0]!.value) : undefined;
    if (fromCall?.kind === 'call' && functionName(fromCall.what) === 'tempnam') return { kind: 'file', guessed: false };
    const name = nameOf(path);
    if (/dir|folder/i.test(name)) return { kind: 'directory', guessed: true };
    if (/file/i.test(name) || /\.[A-Za-z0-9]{1,5}$/.test(name)) return { kind: 'file', guessed: true };
  }
  return { kind: mode & 0o100 ? 'directory' : 'file', guessed: true };
}
