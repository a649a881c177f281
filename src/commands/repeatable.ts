/** commander's argument parser for an option given several times: --ignore a --ignore b. */
export function repeatable(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
