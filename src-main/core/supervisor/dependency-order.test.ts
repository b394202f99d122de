import { describe, expect, it } from 'vitest';
import { dependenciesOf, dependentsOf, stopLevels, topologicalOrder } from './dependency-order';

const stack = [
  { name: 'runner', dependsOn: ['server'] },
  { name: 'server', dependsOn: ['temporal'] },
  { name: 'ui', dependsOn: ['server'] },
  { name: 'temporal', dependsOn: [] },
];

describe('dependency order', () => {
  it('orders dependencies first, otherwise keeps declaration order', () => {
    expect(topologicalOrder(stack)).toEqual(['temporal', 'server', 'runner', 'ui']);
  });

  it('finds transitive dependencies and dependents', () => {
    expect(dependenciesOf(stack, 'runner')).toEqual(['temporal', 'server']);
    expect(dependentsOf(stack, 'temporal')).toEqual(['server', 'runner', 'ui']);
  });

  it('stops by levels, dependents first', () => {
    expect(stopLevels(stack)).toEqual([['runner', 'ui'], ['server'], ['temporal']]);
  });

  it('explains cycles and unknown dependencies', () => {
    expect(() => topologicalOrder([{ name: 'a', dependsOn: ['a'] }])).toThrow('(a -> a)');
    expect(() => topologicalOrder([{ name: 'a', dependsOn: ['b'] }])).toThrow(
      'Service a depends on "b", which is not defined in the stack.',
    );
    expect(stopLevels([{ name: 'a', dependsOn: ['b'] }])).toEqual([['a']]);
  });
});
