import { describe, expect, it } from 'vitest';
import { RingBuffer } from './ring-buffer';

describe('RingBuffer', () => {
  it('keeps the newest items in order across many wraparounds', () => {
    const r = new RingBuffer<number>(5);
    const evicted: boolean[] = [];
    for (let i = 1; i <= 23; i++) evicted.push(r.push(i));
    expect(r.size).toBe(5);
    expect(r.toArray()).toEqual([19, 20, 21, 22, 23]);
    expect(r.tail(2)).toEqual([22, 23]);
    expect(r.tail(99)).toEqual([19, 20, 21, 22, 23]);
    expect(r.tail(0)).toEqual([]);
    expect(evicted.filter(Boolean)).toHaveLength(18);
  });

  it('reports partial fill, clears, and refills', () => {
    const r = new RingBuffer<string>(3);
    r.push('a');
    r.push('b');
    expect(r.toArray()).toEqual(['a', 'b']);
    r.clear();
    expect(r.size).toBe(0);
    expect(r.toArray()).toEqual([]);
    for (const x of ['c', 'd', 'e', 'f']) r.push(x);
    expect(r.toArray()).toEqual(['d', 'e', 'f']);
  });

  it('defaults to 10,000 and rejects a zero capacity', () => {
    expect(new RingBuffer().capacity).toBe(10_000);
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});
