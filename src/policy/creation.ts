import { REQUESTED_DIRECTORY, REQUESTED_FILE } from '../mode/creation.js';
import { parseUmask } from '../mode/umask.js';
import { DEFAULT_CREATION, REQUESTED_TEMP_FILE, type Chmod, type Making, type PathCreation, type RoleCreation } from '../predict/model.js';
import { CHMOD_FORM } from './chmod-form.js';
import type { CreateConfig, PathRuleConfig } from './schema.js';

type MakingConfig = NonNullable<CreateConfig['file']> | NonNullable<CreateConfig['dir']>;

function octal(text: string): number {
  return Number.parseInt(text.replace(/^0o/i, ''), 8);
}

function chmodOf(text: string): Chmod {
  if (text === 'inherit') return 'inherit';
  // The schema has checked the form.
  const [, digits, lessUmask] = CHMOD_FORM.exec(text.trim())!;
  return { mode: Number.parseInt(digits!, 8), lessUmask: lessUmask !== undefined };
}

/** One kind's config (validated by the schema) as a Making. A bare mode is a request, as `create` always meant. */
export function makingOf(kind: 'file' | 'directory', value: MakingConfig): Making {
  const plain = kind === 'file' ? REQUESTED_FILE : REQUESTED_DIRECTORY;
  if (value === 'inherit') return { request: plain, chmod: 'inherit' };
  if (typeof value === 'string') return { request: octal(value) };
  const moved = 'moved' in value ? value.moved : undefined;
  // Moved in by every role: mkstemp's 0600. When only some roles move files in, the others' requests count.
  const making: Making = { request: value.request !== undefined ? octal(value.request) : moved === true ? REQUESTED_TEMP_FILE : plain };
  if (value.chmod !== undefined) making.chmod = chmodOf(value.chmod);
  if (value.umask !== undefined) {
    // The schema has checked it.
    const parsed = parseUmask(value.umask);
    if (parsed.ok) making.umask = parsed.umask;
  }
  if (moved === true) making.moved = true;
  else if (Array.isArray(moved) && moved.length > 0) making.moved = [...moved];
  return making;
}

/** roles.NAME.create: what the role's code does wherever no paths entry says otherwise. */
export function roleCreation(create: CreateConfig | undefined): RoleCreation {
  return {
    file: create?.file !== undefined ? makingOf('file', create.file) : DEFAULT_CREATION.file,
    directory: create?.dir !== undefined ? makingOf('directory', create.dir) : DEFAULT_CREATION.directory,
  };
}

/** paths[].create and paths[].update; undefined when the entry says nothing of creation. */
export function pathCreation(rule: Pick<PathRuleConfig, 'create' | 'update'>): PathCreation | undefined {
  if (rule.create === undefined && rule.update === undefined) return undefined;
  const out: PathCreation = {};
  if (rule.create?.file !== undefined) out.file = makingOf('file', rule.create.file);
  if (rule.create?.dir === 'none') out.directories = false;
  else if (rule.create?.dir !== undefined) out.directory = makingOf('directory', rule.create.dir);
  if (rule.update !== undefined) out.replace = rule.update === 'replace';
  return out;
}

/** Later entries override the kinds they name and keep the rest, like access levels. */
export function cascadeCreation(into: PathCreation | undefined, next: PathCreation | undefined): PathCreation | undefined {
  if (!next) return into;
  if (!into) return next;
  return {
    file: next.file ?? into.file,
    directory: next.directory ?? into.directory,
    replace: next.replace ?? into.replace,
    // A later entry that says how directories are made says that some are.
    directories: next.directory !== undefined ? undefined : (next.directories ?? into.directories),
  };
}
