import type { EntryKind } from '../mode/creation.js';
import { argument, type RawSite } from './calls.js';
import { functionName, identifier, node, nodes, offsetOf, stringValue, text, type PhpNode } from './php-ast.js';
import { targetPath } from './paths.js';
import type { FunctionScope } from './scopes.js';
import { evaluate, type Context } from './values.js';

/**
 * Configuration that frameworks apply with chmod, so the umask plays no part:
 * - WordPress: define('FS_CHMOD_FILE'|'FS_CHMOD_DIR', …) (wp-config.php), used by WP_Filesystem.
 * - Drupal: $settings['file_chmod_file'|'file_chmod_directory'] (settings.php).
 * - Laravel: 'permissions' => ['file' => ['public' => …]] on a disk (Flysystem's visibility), and
 *   'permission' on the file cache store and on log channels (Monolog's filePermission).
 * - Smarty 3: $smarty->_file_perms / ->_dir_perms.
 * - Monolog: new StreamHandler($path, $level, $bubble, $filePermission) and RotatingFileHandler.
 * - Flysystem: PortableVisibilityConverter::fromArray([...]) and new PortableVisibilityConverter(…).
 */

const DEFINES: Record<string, EntryKind> = { FS_CHMOD_FILE: 'file', FS_CHMOD_DIR: 'directory' };
const DRUPAL: Record<string, EntryKind> = { file_chmod_file: 'file', file_chmod_directory: 'directory' };
const SMARTY: Record<string, EntryKind> = { _file_perms: 'file', _dir_perms: 'directory' };
const VISIBILITY_KINDS: Record<string, EntryKind> = { file: 'file', dir: 'directory' };
/** Constructor arguments that are a file's mode: [position, name]. */
const HANDLERS: Record<string, [number, string]> = { streamhandler: [3, 'filePermission'], rotatingfilehandler: [4, 'filePermission'] };
const CONVERTER_ARGS: [string, EntryKind][] = [
  ['filePublic', 'file'],
  ['filePrivate', 'file'],
  ['directoryPublic', 'directory'],
  ['directoryPrivate', 'directory'],
];

function setting(
  expr: PhpNode | undefined,
  at: PhpNode,
  call: string,
  applies: EntryKind,
  ctx: Context,
  extra: Partial<RawSite> = {},
): RawSite[] {
  const value = evaluate(expr, { ...ctx, at: offsetOf(at) });
  if (!value || value === 'umask') return [];
  return [
    {
      offset: offsetOf(expr ?? at),
      call,
      mode: value.mode,
      alternatives: value.alternatives,
      origin: value.origin === 'literal' ? 'setting' : value.origin,
      ...(value.via ? { via: value.via } : {}),
      valueOffset: value.valueOffset,
      applies,
      guessed: false,
      effect: { kind: 'chmod' },
      ...extra,
    },
  ];
}

const plausible = (site: RawSite) => (site.mode & 0o700) !== 0 && site.mode >= 0 && site.mode <= 0o7777;

/** Entries of an array literal by string key. */
function entries(array: PhpNode | undefined): Map<string, PhpNode> {
  const out = new Map<string, PhpNode>();
  if (array?.kind !== 'array') return out;
  for (const item of nodes(array.items)) {
    const key = stringValue(item.key);
    const value = node(item.value);
    if (item.kind === 'entry' && key !== undefined && value) out.set(key, value);
  }
  return out;
}

/** ['file' => ['public' => 0644, 'private' => 0600], 'dir' => [...]]: one site per mode. */
function visibilityMap(map: PhpNode | undefined, label: string, ctx: Context, extra: Partial<RawSite>): RawSite[] {
  const sites: RawSite[] = [];
  for (const [kindKey, byVisibility] of entries(map)) {
    const applies = VISIBILITY_KINDS[kindKey];
    if (!applies) continue;
    for (const [visibility, value] of entries(byVisibility))
      sites.push(...setting(value, value, `${label} ${kindKey}.${visibility}`, applies, ctx, extra));
  }
  return sites;
}

/** The sibling 'root' (a disk) or 'path' (a log channel, the file cache) says where the setting applies. */
function siblingTarget(parent: PhpNode | undefined, ctx: Context, file: string): Partial<RawSite> {
  const siblings = entries(parent);
  const target = targetPath(siblings.get('root') ?? siblings.get('path'), ctx, file);
  return target ? { target } : {};
}

/** Settings found in one scope. */
export function settingSites(scope: FunctionScope, ctx: Omit<Context, 'scope' | 'at'>, file: string): RawSite[] {
  const at: Context = { ...ctx, scope, at: 0 };
  const sites: RawSite[] = [];
  for (const n of scope.settings) {
    if (n.kind === 'entry') {
      const key = stringValue(n.key);
      const where = siblingTarget(ctx.index.parents.get(n), at, file);
      // 'permission' is a common key: only a value that looks like a mode (owner bits, <= 07777) counts.
      if (key === 'permission') sites.push(...setting(node(n.value), n, "'permission' =>", 'file', at, where).filter(plausible));
      else if (key === 'permissions') sites.push(...visibilityMap(node(n.value), "'permissions' =>", at, where).filter(plausible));
      else if (key && DRUPAL[key]) sites.push(...setting(node(n.value), n, `'${key}' =>`, DRUPAL[key]!, at));
    } else if (n.kind === 'assign') {
      const left = node(n.left)!;
      if (left.kind === 'offsetlookup') {
        const key = stringValue(left.offset)!;
        const owner = node(left.what);
        const label = `${owner?.kind === 'variable' ? `$${text(owner.name)}` : ''}['${key}']`;
        if (DRUPAL[key]) sites.push(...setting(node(n.right), n, label, DRUPAL[key]!, at));
      } else {
        const name = identifier(left.offset) ?? text(node(left.offset)?.name) ?? '';
        if (SMARTY[name]) sites.push(...setting(node(n.right), n, `->${name}`, SMARTY[name]!, at));
      }
    }
  }
  for (const call of scope.calls) {
    const kind = node(call.what)?.kind;
    // Most calls are none of the setting calls: no context built for them.
    if (kind === 'name' || kind === 'staticlookup') sites.push(...callSettings(call, { ...at, at: offsetOf(call) }, file));
  }
  return sites;
}

function callSettings(call: PhpNode, ctx: Context, file: string): RawSite[] {
  const what = node(call.what);
  const args = nodes(call.arguments);
  if (call.kind === 'call' && functionName(what) === 'define') {
    const name = stringValue(args[0]);
    const applies = name ? DEFINES[name] : undefined;
    return applies ? setting(args[1], call, `define('${name}')`, applies, ctx) : [];
  }
  const className = (what?.kind === 'name' ? text(what.name) : what?.kind === 'staticlookup' ? text(node(what.what)?.name) : undefined)
    ?.split('\\')
    .pop()
    ?.toLowerCase();
  if (call.kind === 'new' && className && HANDLERS[className]) {
    const [index, name] = HANDLERS[className]!;
    const target = targetPath(argument(args, 0, className === 'streamhandler' ? 'stream' : 'filename'), ctx, file);
    return setting(
      argument(args, index, name),
      call,
      `new ${text(node(what)?.name)?.split('\\').pop()}`,
      'file',
      ctx,
      target ? { target } : {},
    );
  }
  if (className === 'portablevisibilityconverter') {
    if (call.kind === 'new')
      return CONVERTER_ARGS.flatMap(([name, applies], i) =>
        setting(argument(args, i, name), call, `new PortableVisibilityConverter(${name})`, applies, ctx),
      );
    if (what?.kind === 'staticlookup' && identifier(what.offset)?.toLowerCase() === 'fromarray')
      return visibilityMap(args[0], 'PortableVisibilityConverter::fromArray', ctx, {});
  }
  return [];
}
