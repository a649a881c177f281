import type { z } from 'zod';

/** "roles.web.umask", "paths[1].match[0]": the key path as a user would point at it in the file. */
export function keyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$-]*$/.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out === '' ? '(top level)' : out;
}

/** One line per problem, each naming the file and the key path. */
export function formatIssues(file: string, issues: readonly z.core.$ZodIssue[], schema: z.ZodType): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(schema, issue.path);
      for (const key of issue.keys) {
        lines.push(`${file}: ${keyPath([...issue.path, key])}: unknown key${known ? ` (known: ${known.join(', ')})` : ''}`);
      }
    } else if (issue.code === 'invalid_key' && issue.issues[0]) {
      // A record key failed its own schema: say why, not just "invalid key".
      lines.push(`${file}: ${keyPath(issue.path)}: invalid key: ${issue.issues[0].message}`);
    } else {
      lines.push(`${file}: ${keyPath(issue.path)}: ${issue.message}`);
    }
  }
  return lines;
}

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  keyType?: z.ZodType;
  entries?: Record<string, string>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  options?: z.ZodType[];
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** The keys an object in the schema allows, found by following the path through the schema. */
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let node: z.ZodType | undefined = schema;
  for (const key of [...path, undefined]) {
    // Unwrap optionals and pick the object branch of a union until we reach an object.
    for (let guard = 0; node && guard < 8; guard++) {
      const def = defOf(node);
      if (def.type === 'optional' && def.innerType) node = def.innerType;
      else if (def.type === 'union' && def.options)
        node = def.options.find((option) => ['object', 'array', 'record'].includes(defOf(option).type));
      else break;
    }
    if (!node) return undefined;
    const def = defOf(node);
    if (key === undefined) {
      if (def.type === 'object' && def.shape) return Object.keys(def.shape);
      const keyDef = def.type === 'record' && def.keyType ? defOf(def.keyType) : undefined;
      return keyDef?.type === 'enum' && keyDef.entries ? Object.values(keyDef.entries) : undefined;
    }
    if (def.type === 'object' && def.shape && typeof key === 'string') node = def.shape[key];
    else if (def.type === 'record') node = def.valueType;
    else if (def.type === 'array') node = def.element;
    else return undefined;
  }
  return undefined;
}
