import { REQUESTED_DIRECTORY, REQUESTED_FILE } from '../mode/creation.js';
import { functionName, identifier, node, nodes, offsetOf, stringValue, text, type PhpNode } from './php-ast.js';
import { chmodTarget, targetPath } from './paths.js';
import type { FunctionScope } from './scopes.js';
import type { ModeSite } from './types.js';
import { evaluate, type Context, type ModeValue } from './values.js';

/** A site before it is placed in a file: offsets in the parsed text instead of lines. */
export type RawSite = Omit<ModeSite, 'file' | 'line' | 'column' | 'valueLine' | 'package'> & { offset: number; valueOffset: number };

type Operation = 'chmod' | 'mkdir' | 'umask' | 'touch';

interface Recognized {
  call: string;
  operation: Operation;
  args: PhpNode[];
  /** Index of the mode argument and its name for named arguments. */
  mode: { index: number; name: string };
  path: number;
  /** Symfony's Filesystem::chmod($files, $mode, $umask): the mode is narrowed by a third argument. */
  umaskArg?: number;
  /** The method's lower-case name when it is called on the object itself ($this->, self::, static::). */
  own?: string;
}

const FUNCTIONS: Record<string, Omit<Recognized, 'call' | 'args'>> = {
  chmod: { operation: 'chmod', mode: { index: 1, name: 'permissions' }, path: 0 },
  lchmod: { operation: 'chmod', mode: { index: 1, name: 'permissions' }, path: 0 },
  mkdir: { operation: 'mkdir', mode: { index: 1, name: 'permissions' }, path: 0 },
  umask: { operation: 'umask', mode: { index: 0, name: 'mask' }, path: -1 },
  touch: { operation: 'touch', mode: { index: -1, name: '' }, path: 0 },
};

/** Framework methods, matched by name (the receiver's class is not known): Symfony and Illuminate Filesystem. */
const METHODS: Record<string, Omit<Recognized, 'call' | 'args'>> = {
  chmod: { operation: 'chmod', mode: { index: 1, name: 'mode' }, path: 0, umaskArg: 2 },
  mkdir: { operation: 'mkdir', mode: { index: 1, name: 'mode' }, path: 0 },
  makedirectory: { operation: 'mkdir', mode: { index: 1, name: 'mode' }, path: 0 },
  ensuredirectoryexists: { operation: 'mkdir', mode: { index: 1, name: 'mode' }, path: 0 },
};

/** A call to a function or method that sets or asks for a mode, with its arguments. */
export function recognize(call: PhpNode): Recognized | undefined {
  if (call.kind !== 'call') return undefined;
  const what = node(call.what);
  let args = nodes(call.arguments);
  let name = functionName(what);
  let display = name;
  let table = FUNCTIONS;
  if (!name && what && /lookup$/.test(what.kind)) {
    const method = identifier(what.offset)?.toLowerCase();
    const separator = what.kind === 'staticlookup' ? '::' : '->';
    // Symfony's Filesystem::box('chmod', …) calls the function named by its first argument.
    if (method === 'box' && stringValue(args[0]) !== undefined) {
      name = stringValue(args[0])!.toLowerCase();
      display = `${separator}box('${name}')`;
      args = args.slice(1);
    } else {
      name = method;
      display = `${separator}${identifier(what.offset)}`;
      table = METHODS;
      const receiver = node(what.what);
      const itself =
        receiver?.kind === 'variable'
          ? receiver.name === 'this'
          : receiver?.kind === 'selfreference' || receiver?.kind === 'staticreference';
      if (itself && method) return withSpec(METHODS[method], display, args, method);
    }
  } else if (name === 'call_user_func' && stringValue(args[0]) !== undefined) {
    name = stringValue(args[0])!.toLowerCase();
    display = `call_user_func('${name}')`;
    args = args.slice(1);
  }
  return withSpec(name ? table[name] : undefined, display, args);
}

function withSpec(spec: Omit<Recognized, 'call' | 'args'> | undefined, display: string | undefined, args: PhpNode[], own?: string) {
  return spec && display ? { ...spec, call: display, args, ...(own ? { own } : {}) } : undefined;
}

/**
 * Whether `$this->name()` is the class's own method that sets no mode itself: WordPress's FTP client
 * has chmod() and mkdir() methods that send SITE CHMOD and MKD to a server (class-ftp.php), not
 * calls of PHP's chmod() on this host. A method that calls chmod(), or another object's chmod(),
 * does set modes here; so does one the file does not declare (a parent class, a trait: not known).
 */
function ownNonLocal(r: Recognized, scope: FunctionScope, scopes: readonly FunctionScope[]): boolean {
  const method = r.own ? scope.cls?.methods.get(r.own) : undefined;
  if (!method) return false;
  const inside = (s: FunctionScope | undefined): boolean => s !== undefined && (s === method || inside(s.parent));
  for (const s of scopes) {
    if (!inside(s)) continue;
    for (const call of s.calls) {
      const inner = recognize(call);
      if (inner && inner.operation === r.operation && inner.own !== r.own) return false;
    }
  }
  return true;
}

/** The argument at a position, or passed by name (PHP 8 named arguments). */
export function argument(args: PhpNode[], index: number, name: string): PhpNode | undefined {
  const named = args.find((a) => a.kind === 'namedargument' && text(a.name) === name);
  if (named) return node(named.value);
  const positional = args[index];
  return positional && positional.kind !== 'namedargument' ? positional : undefined;
}

function site(call: PhpNode, r: Recognized, value: ModeValue, rest: Partial<RawSite> & Pick<RawSite, 'applies' | 'effect'>): RawSite {
  return {
    offset: offsetOf(call),
    call: r.call,
    mode: value.mode,
    alternatives: value.alternatives,
    origin: value.origin,
    ...(value.via ? { via: value.via } : {}),
    valueOffset: value.valueOffset,
    guessed: false,
    ...rest,
  };
}

/**
 * The sites of one function, in source order. A literal umask() there changes what the creations
 * after it get (Smarty: umask(0), then mkdir 0771 is exactly 0771), until a umask() with a value the
 * scan cannot tell (restoring the old one).
 */
export function callSites(scope: FunctionScope, ctx: Omit<Context, 'scope' | 'at'>, file: string): RawSite[] {
  const sites: RawSite[] = [];
  let forced: number | undefined;
  for (const call of scope.calls) {
    const r = recognize(call);
    if (!r || ownNonLocal(r, scope, ctx.index.scopes)) continue;
    const at: Context = { ...ctx, scope, at: offsetOf(call) };
    const modeArg = r.mode.index >= 0 ? argument(r.args, r.mode.index, r.mode.name) : undefined;
    const pathArg = r.path >= 0 ? (argument(r.args, r.path, 'filename') ?? argument(r.args, r.path, 'directory')) : undefined;
    const target = targetPath(pathArg, at, file);
    const where = target ? { target } : {};
    if (r.operation === 'umask') {
      if (!modeArg) continue;
      const value = evaluate(modeArg, at);
      forced = value && value !== 'umask' ? value.mode & 0o777 : undefined;
      if (value && value !== 'umask') sites.push(site(call, r, value, { applies: 'umask', effect: { kind: 'umask' } }));
      continue;
    }
    if (r.operation === 'touch') {
      if (forced !== undefined)
        sites.push(
          site(call, r, literalDefault(REQUESTED_FILE, call), {
            applies: 'file',
            effect: { kind: 'create-forced', umask: forced },
            ...where,
          }),
        );
      continue;
    }
    const value = modeArg ? evaluate(modeArg, at) : r.operation === 'mkdir' ? literalDefault(REQUESTED_DIRECTORY, call) : undefined;
    if (!value || value === 'umask') continue;
    if (r.operation === 'chmod') {
      const narrowed = narrowBy(r, value, at);
      if (!narrowed) continue;
      const { kind, guessed } = chmodTarget(pathArg, narrowed.mode, at);
      sites.push(site(call, r, narrowed, { applies: kind, guessed, effect: { kind: 'chmod' }, ...where }));
    } else if (forced !== undefined) {
      sites.push(site(call, r, value, { applies: 'directory', effect: { kind: 'create-forced', umask: forced }, ...where }));
    } else if ((value.mode & 0o777) !== REQUESTED_DIRECTORY) {
      // mkdir($d, 0777) asks for the default: the umask alone decides, nothing to report.
      sites.push(site(call, r, value, { applies: 'directory', effect: { kind: 'create' }, ...where }));
    }
  }
  return sites;
}

/** mkdir() without a mode, touch(): PHP's own default request. */
function literalDefault(mode: number, call: PhpNode): ModeValue {
  return { mode, alternatives: [], origin: 'literal', valueOffset: offsetOf(call) };
}

/** Symfony's chmod($files, $mode, $umask) applies `$mode & ~$umask`; a umask it cannot tell voids the mode. */
function narrowBy(r: Recognized, value: ModeValue, at: Context): ModeValue | undefined {
  if (r.umaskArg === undefined) return value;
  const umaskArg = argument(r.args, r.umaskArg, 'umask');
  if (!umaskArg) return value;
  const umask = evaluate(umaskArg, at);
  if (!umask || umask === 'umask') return undefined;
  return { ...value, mode: value.mode & ~umask.mode, alternatives: [] };
}
