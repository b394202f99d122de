import { describe, expect, it } from 'vitest';
import { fanOut, type FanOutTarget } from './event-fanout';

function target(queuedBytes: number, isClosed = false): FanOutTarget & { frames: string[] } {
  const frames: string[] = [];
  return {
    queue: { isClosed, queuedBytes },
    skippedLogLines: 0,
    frames,
    sendEvent: (frame) => frames.push(frame),
  };
}

const batch = (n: number, skipped = 0) => ({
  lines: Array.from({ length: n }, (_, i) => i),
  skipped,
});

describe('event fan-out', () => {
  it('drops live log batches for a client that is behind, and reports them as skipped later', () => {
    const slow = target(5_000_000);
    const fast = target(0);
    fanOut([slow, fast], 'logs:lines', batch(3, 1), 4_000_000);
    fanOut([slow, fast], 'logs:lines', batch(2), 4_000_000);
    expect(slow.frames).toEqual([]);
    expect(slow.skippedLogLines).toBe(6);
    expect(fast.frames).toHaveLength(2);
    // Caught up: the next batch carries what it missed.
    slow.queue = { isClosed: false, queuedBytes: 0 };
    fanOut([slow], 'logs:lines', batch(1, 2), 4_000_000);
    expect(JSON.parse(slow.frames[0]!)).toEqual({
      event: 'logs:lines',
      payload: { lines: [0], skipped: 8 },
    });
    expect(slow.skippedLogLines).toBe(0);
  });

  it('queues every other event even when behind (the hard cap decides), and skips closed queues', () => {
    const slow = target(5_000_000);
    const closed = target(0, true);
    fanOut([slow, closed], 'services:changed', { version: 2 }, 4_000_000);
    expect(slow.frames).toEqual(['{"event":"services:changed","payload":{"version":2}}']);
    expect(closed.frames).toEqual([]);
  });
});
