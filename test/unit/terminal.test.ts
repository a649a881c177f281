import { describe, expect, it } from 'vitest';
import { useColor } from '../../src/color.js';
import { Progress } from '../../src/commands/progress.js';
import { jsonForLogs, printable } from '../../src/text/printable.js';

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

describe('printable: what fonts draw as nothing is escaped too', () => {
  it.each([
    ['tag characters (astral)', 'a\u{e0041}\u{e0042}b', 'a\\u{e0041}\\u{e0042}b'],
    ['line and paragraph separators', 'a\u2028b\u2029c', 'a\\u2028b\\u2029c'],
    ['variation selectors', 'a\ufe0fb\u{e0100}', 'a\\ufe0fb\\u{e0100}'],
    ['the combining grapheme joiner', 'a\u034fb', 'a\\u034fb'],
    ['Hangul fillers', 'a\uffa0b\u3164', 'a\\uffa0b\\u3164'],
    ['musical format characters', 'a\u{1d173}', 'a\\u{1d173}'],
    ['C1 and bidi', 'a\u009b\u202eb', 'a\\x9b\\u202eb'],
  ])('%s', (_, text, shown) => {
    expect(printable(text)).toBe(shown);
  });

  it('keeps letters, accents, emoji without selectors and no-break spaces', () => {
    expect(printable('café 日本 \u{1f600} a\u00a0b')).toBe('café 日本 \u{1f600} a\u00a0b');
  });

  it('jsonForLogs writes them as JSON escapes that read back as the same string', () => {
    const value = { name: 'a\u{e0041}\u2028\u202e##[x]\u009b\n' };
    const logged = jsonForLogs(JSON.stringify(value));
    expect(logged).not.toMatch(/[\u{e0000}-\u{e007f}\u2028\u202e\u009b]|##\[/u);
    expect(JSON.parse(logged)).toEqual(value);
  });
});
