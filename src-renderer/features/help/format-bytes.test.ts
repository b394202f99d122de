import { describe, expect, it } from 'vitest';
import { formatBytes } from './format-bytes';

describe('formatBytes', () => {
  it('names the size in the unit a person reads', () => {
    expect([formatBytes(812), formatBytes(14_540), formatBytes(3_250_000)]).toEqual([
      '812 B',
      '14.2 KB',
      '3.1 MB',
    ]);
  });
});
