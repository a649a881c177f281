/**
 * Owner and group names of an archive, each kept once: a million entries name a handful of users,
 * so entries hold a small number instead of a string each.
 */
export class StringTable {
  private readonly list: string[];
  private readonly ids: Map<string, number>;

  constructor(initial: readonly string[] = []) {
    this.list = [...initial];
    this.ids = new Map(this.list.map((text, id) => [text, id]));
  }

  intern(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.list.length;
      this.list.push(text);
      this.ids.set(text, id);
    }
    return id;
  }

  at(id: number): string {
    return this.list[id]!;
  }
}
