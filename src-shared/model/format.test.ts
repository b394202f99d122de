import { describe, expect, it } from 'vitest';
import { formatBytes, formatCpu } from './format';

describe('formatBytes', () => {
  it.each([
    [0, '0 KB'],
    [812_345, '812 KB'],
    [84_400_000, '84 MB'],
    [1_234_000_000, '1.2 GB'],
    [-1, '—'],
    [Number.NaN, '—'],
  ])('%d -> %s', (bytes, text) => expect(formatBytes(bytes)).toBe(text));
});

describe('formatCpu', () => {
  it.each([
    [0, '0%'],
    [0.42, '0.4%'],
    [37.4, '37%'],
    [212.2, '212%'],
    [-3, '—'],
  ])('%d -> %s', (percent, text) => expect(formatCpu(percent)).toBe(text));
});
