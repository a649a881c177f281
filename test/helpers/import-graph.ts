import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** One import between two files of src/, relative to src/ (`audit/plan.ts` -> `rules/contract.ts`). */
export interface Import {
  from: string;
  to: string;
}

// Static imports and re-exports (type-only ones too: a type is a dependency as much as a value is),
// and dynamic import() of a literal path.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;

/** Every relative import between the TypeScript files under `root`. */
export function importsUnder(root: string): Import[] {
  const imports: Import[] = [];
  for (const file of sourceFiles(root).map((file) => join(root, file))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(SPECIFIER)) {
      const target = resolve(dirname(file), match[1]!.replace(/\.js$/, '.ts'));
      imports.push({ from: relative(root, file), to: relative(root, target) });
    }
  }
  return imports;
}

/** The TypeScript files under `root`, relative to it. */
export function sourceFiles(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(root, path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [relative(root, path)] : [];
  });
}

/** The folder a file belongs to: its first directory under src/, or the file itself at the top (cli.ts). */
export function folderOf(file: string): string {
  const [first, ...rest] = file.split(sep);
  return rest.length === 0 ? first! : `${first}/`;
}

/**
 * The groups of folders that import each other, directly or round a loop (Tarjan's strongly
 * connected components with more than one folder), each with the imports that close the loop.
 */
export function folderCycles(imports: readonly Import[]): { folders: string[]; imports: Import[] }[] {
  const edges = new Map<string, Set<string>>();
  for (const { from, to } of imports) {
    const [a, b] = [folderOf(from), folderOf(to)];
    if (!edges.has(b)) edges.set(b, new Set());
    if (a === b) continue;
    const out = edges.get(a) ?? new Set<string>();
    out.add(b);
    edges.set(a, out);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const node of [...edges.keys()].sort()) if (!index.has(node)) visit(node);
  return components.map((folders) => ({
    folders,
    imports: imports.filter(
      ({ from, to }) => folderOf(from) !== folderOf(to) && folders.includes(folderOf(from)) && folders.includes(folderOf(to)),
    ),
  }));
}
