import { z } from 'zod';

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

/** The keys an object in the schema allows, found by following the path through the schema. */
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let node: z.core.$ZodType | undefined = schema;
  for (const key of [...path, undefined]) {
    // Unwrap optionals and pick the object branch of a union until we reach an object.
    for (let guard = 0; node && guard < 8; guard++) {
      if (node instanceof z.ZodOptional) node = node.unwrap();
      else if (node instanceof z.ZodUnion) node = node.options.find((option) => isContainer(option));
      else break;
    }
    if (!node) return undefined;
    if (key === undefined) {
      if (node instanceof z.ZodObject) return Object.keys(node.shape);
      if (node instanceof z.ZodRecord && node.keyType instanceof z.ZodEnum) return node.keyType.options.map(String);
      return undefined;
    }
    if (node instanceof z.ZodObject && typeof key === 'string') node = node.shape[key];
    else if (node instanceof z.ZodRecord) node = node.valueType;
    else if (node instanceof z.ZodArray) node = node.element;
    else return undefined;
  }
  return undefined;
}

function isContainer(schema: z.core.$ZodType): boolean {
  return schema instanceof z.ZodObject || schema instanceof z.ZodArray || schema instanceof z.ZodRecord;
}
