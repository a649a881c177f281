/** Kept per kind of note: enough to show what happened without growing with a hostile archive. */
const EXAMPLES = 3;

interface Kind {
  count: number;
  examples: string[];
}

/**
 * What reading an archive changed or left out, as GNU tar would warn about it ("Removing leading
 * '../' from member names"): collected per kind with a count and a few examples, never per entry.
 */
export class ArchiveNotes {
  private readonly kinds = new Map<string, Kind>();

  /** `what` names the kind ("duplicate entries: the last one wins"); `example` one entry it hit. */
  add(what: string, example?: string): void {
    let kind = this.kinds.get(what);
    if (!kind) {
      kind = { count: 0, examples: [] };
      this.kinds.set(what, kind);
    }
    kind.count++;
    if (example !== undefined && kind.examples.length < EXAMPLES && !kind.examples.includes(example)) kind.examples.push(example);
  }

  get size(): number {
    return this.kinds.size;
  }

  /** One line per kind: "what (N entries: a, b, c, ...)". */
  lines(): string[] {
    return [...this.kinds].map(([what, { count, examples }]) => {
      if (examples.length === 0) return count > 1 ? `${what} (${count} times)` : what;
      const more = count > examples.length ? ', ...' : '';
      const quoted = examples.map((e) => JSON.stringify(e)).join(', ');
      return `${what} (${count} ${count === 1 ? 'entry' : 'entries'}: ${quoted}${more})`;
    });
  }
}
