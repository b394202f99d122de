import { describe, expect, it } from 'vitest';
import { needLabel, rangeMinimum, runtimeLabel } from './runtime';

describe('runtime labels', () => {
  it('reads a plain lower bound, and only that, as a minimum', () => {
    expect(rangeMinimum('>=22.13')).toBe('22.13');
    expect(rangeMinimum('>= v22.13.0')).toBe('22.13.0');
    expect(rangeMinimum('^22.13 || >=24')).toBeNull();
  });

  it('says "Needs Node 22.13+" for a minimum and the range itself otherwise', () => {
    expect(needLabel({ kind: 'node', range: '>=22.13' })).toBe('Needs Node 22.13+');
    expect(needLabel({ kind: 'node', range: ' ^22.13 || >=24 ' })).toBe(
      'Needs Node ^22.13 || >=24',
    );
  });

  it('names the version and where the Node came from', () => {
    const at = { kind: 'node', path: '/x/node', version: 'v22.23.5' } as const;
    expect(runtimeLabel({ ...at, source: 'setting' })).toBe('Node v22.23.5 (Settings)');
    expect(runtimeLabel({ ...at, source: 'env' })).toBe('Node v22.23.5 (STIGMER_NODE)');
    expect(runtimeLabel({ ...at, source: 'app' })).toBe("Node v22.23.5 (the app's own)");
  });
});
