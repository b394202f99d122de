import { describe, expect, it } from 'vitest';
import { ChunkRingReader, ChunkRingWriter } from './chunk-ring';

describe('ChunkRing', () => {
  it('carries chunks, wraps without splitting one, and refuses what does not fit yet', () => {
    const w = new ChunkRingWriter(1024);
    const r = new ChunkRingReader(w.buffer);
    const a = w.put(Buffer.alloc(200, 'a'))!;
    const b = w.put(Buffer.alloc(200, 'b'))!;
    const c = w.put(Buffer.alloc(200, 'c'))!;
    expect([a.offset, b.offset, c.offset]).toEqual([0, 200, 400]);
    expect(w.put(Buffer.alloc(256, 'x'))).not.toBeNull(); // 600..856
    // 168 bytes left at the end: a 200-byte chunk must wait for the start to be released.
    expect(w.put(Buffer.alloc(200, 'd'))).toBeNull();
    expect(r.view(b.offset, 200).toString()).toBe('b'.repeat(200));
    r.release(200);
    const d = w.put(Buffer.alloc(200, 'd'))!;
    expect(d).toEqual({ offset: 0, skip: 168 });
    expect(r.view(d.offset, 200).toString()).toBe('d'.repeat(200));
    expect(w.used).toBe(1024); // b, c, x, the skipped end and d: full
    r.release(200 + 200 + 256 + 168 + 200);
    expect(w.used).toBe(0);
    expect(w.put(Buffer.alloc(300))).toBeNull(); // over a quarter of the ring: sent in the message
    expect(() => new ChunkRingWriter(1000)).toThrow(RangeError);
  });
});
