/**
 * 1234567 as "1,234,567", as toLocaleString('en-US') writes it, without the cost of starting ICU's
 * number formatting (measured: ~80 ms, the first time, on every text report).
 */
export function grouped(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+$)/g, ',');
}
