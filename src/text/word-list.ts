/**
 * Names in a sentence: "A", "A and B", "A, B and C"; past `shown` + 1 names, the first `shown` and a
 * count ("A, B and 3 more"). The one place every message lists names.
 */
export function wordList(names: readonly string[], shown = Infinity): string {
  if (names.length > shown + 1) return `${names.slice(0, shown).join(', ')} and ${names.length - shown} more`;
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
