import { describe, expect, it } from 'vitest';
import { centredOffset, ROW_HEIGHT } from './list-options';

// A 180 px viewport (10 rows) over 1,000 rows: the list scrolls from 0 to 18,000 - 180.
const HEIGHT = 10 * ROW_HEIGHT;
const MAX = 1_000 * ROW_HEIGHT - HEIGHT;
/** Rows [first, last] fully inside the viewport at `offset`. */
const shown = (offset: number) => [
  Math.ceil(offset / ROW_HEIGHT),
  Math.floor((offset + HEIGHT) / ROW_HEIGHT) - 1,
];

describe('centredOffset (where a search step puts the current match)', () => {
  it('puts a row in the middle of the viewport', () => {
    const offset = centredOffset(500, HEIGHT, MAX);
    const middle = offset + HEIGHT / 2;
    expect(middle).toBeGreaterThanOrEqual(500 * ROW_HEIGHT);
    expect(middle).toBeLessThanOrEqual(501 * ROW_HEIGHT);
  });

  it('keeps rows near either end inside the viewport without scrolling past the list', () => {
    for (const row of [0, 1, 4, 995, 998, 999]) {
      const offset = centredOffset(row, HEIGHT, MAX);
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset).toBeLessThanOrEqual(MAX);
      const [first, last] = shown(offset);
      expect(row).toBeGreaterThanOrEqual(first!);
      expect(row).toBeLessThanOrEqual(last!);
    }
    expect(centredOffset(0, HEIGHT, MAX)).toBe(0);
    expect(centredOffset(999, HEIGHT, MAX)).toBe(MAX);
  });

  it('is 0 for a list shorter than the viewport', () => {
    expect(centredOffset(3, HEIGHT, 0)).toBe(0);
  });
});
