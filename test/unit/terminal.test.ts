import { describe, expect, it } from 'vitest';
import { useColor } from '../../src/color.js';
import { Progress } from '../../src/commands/progress.js';
import { printable } from '../../src/text/printable.js';

describe('useColor', () => {
  it.each([
    [{ flag: true, env: {}, isTTY: true }, true],
    [{ flag: true, env: {}, isTTY: false }, false],
    [{ flag: false, env: {}, isTTY: true }, false],
    [{ flag: true, env: { NO_COLOR: '1' }, isTTY: true }, false],
    [{ flag: true, env: { NO_COLOR: '' }, isTTY: true }, true],
    [{ flag: true, env: { FORCE_COLOR: '1' }, isTTY: false }, true],
    [{ flag: true, env: { FORCE_COLOR: '1', NO_COLOR: '1' }, isTTY: true }, false],
    [{ flag: false, env: { FORCE_COLOR: '1' }, isTTY: true }, false],
  ])('%j -> %s', (inputs, expected) => {
    expect(useColor(inputs)).toBe(expected);
  });
});

describe('Progress', () => {
  it('stays silent for the first second, then shows entries and rate, and clears the line', () => {
    const written: string[] = [];
    const started = performance.now();
    const quick = new Progress((text) => written.push(text), started);
    quick.update(100);
    quick.clear();
    expect(written).toEqual([]);
    const slow = new Progress((text) => written.push(text), started - 2000);
    slow.update(123456);
    expect(written[0]).toMatch(/^\r\u001b\[2Kscanned 123,456 entries \([\d,]+\/s\)$/);
    slow.clear();
    expect(written[1]).toBe('\r\u001b[2K');
  });
});

describe('printable', () => {
  it('escapes control characters and keeps the rest', () => {
    expect(printable('a\nb\tc\u001b[31md é')).toBe('a\\nb\\tc\\x1b[31md é');
  });
});
