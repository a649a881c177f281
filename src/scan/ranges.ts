import type { Body } from './php-structure.js';

// Binary searches over what the scanner records: offsets and ranges of the file, sorted.

/** The range that holds `at`, in ranges sorted and disjoint. */
export function rangeAt(ranges: readonly Body[], at: number): Body | undefined {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid]![1] <= at) lo = mid + 1;
    else hi = mid;
  }
  const range = ranges[lo];
  return range && range[0] <= at ? range : undefined;
}

/** The start of the range that ends at `end`, in ranges sorted and disjoint. */
export function endingAt(ranges: readonly Body[], end: number): number | undefined {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid]![1] < end) lo = mid + 1;
    else hi = mid;
  }
  const range = ranges[lo];
  return range && range[1] === end ? range[0] : undefined;
}

/** Whether an anchor (sorted offsets) lies strictly between `open` and `close`. */
export function holdsAnchor(anchors: readonly number[], open: number, close: number): boolean {
  let lo = 0;
  let hi = anchors.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (anchors[mid]! <= open) lo = mid + 1;
    else hi = mid;
  }
  return lo < anchors.length && anchors[lo]! < close;
}
