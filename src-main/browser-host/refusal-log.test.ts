import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRefusalLog } from './refusal-log';

afterEach(() => vi.useRealTimers());

describe('refusal log', () => {
  it('prints at most maxLines per window, then one summary with the count of each kind', () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const log = createRefusalLog({ write: (l) => lines.push(l), maxLines: 5, windowMs: 10_000 });
    for (let i = 0; i < 5; i++) log.refuse('forbidden', 'missing or wrong token');
    for (let i = 0; i < 7; i++) log.refuse('bad-frame', 'WS_ERR_INVALID_UTF8');
    for (let i = 0; i < 3; i++) log.refuse('forbidden', 'missing or wrong token');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe('[browser-host] refused (forbidden): missing or wrong token');
    // The summary comes when the window ends, without any further refusal to trigger it.
    vi.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(6);
    expect(lines[5]).toBe(
      '[browser-host] 10 more refused in the last 10 s (bad-frame 7, forbidden 3); only the first 5 of each 10 s are printed.',
    );
    expect(log.totals).toEqual({ forbidden: 8, 'bad-frame': 7 });
    // A new window prints again.
    log.refuse('over-cap', 'send queue over 32 MB');
    expect(lines).toHaveLength(7);
    expect(lines[6]).toContain('refused (over-cap)');
    log.close();
  });

  it('stays bounded under a flood: 100,000 refusals in one window make maxLines + 1 lines', () => {
    let now = 0;
    const lines: string[] = [];
    const log = createRefusalLog({ write: (l) => lines.push(l), maxLines: 20, now: () => now });
    for (let i = 0; i < 100_000; i++) log.refuse('bad-request', 'HTTP HPE_INVALID_METHOD');
    now = 10_000;
    log.refuse('bad-request', 'HTTP HPE_INVALID_METHOD'); // the next window flushes the last one
    expect(lines).toHaveLength(22);
    expect(lines[20]).toMatch(
      /^\[browser-host\] 99980 more refused in the last 10 s \(bad-request 99980\)/,
    );
    log.close();
  });

  it('flattens control characters and cuts long details, and survives a throwing writer', () => {
    const lines: string[] = [];
    const log = createRefusalLog({ write: (l) => lines.push(l) });
    log.refuse('bad-message', `a\r\nb\u0000${'x'.repeat(1000)}`);
    expect(/[\r\n]/.test(lines[0]!) || lines[0]!.includes(String.fromCharCode(0))).toBe(false);
    expect(lines[0]!.length).toBeLessThan(260);
    const broken = createRefusalLog({
      write: () => {
        throw new Error('EPIPE');
      },
    });
    expect(() => broken.refuse('forbidden', 'x')).not.toThrow();
    log.close();
    broken.close();
  });
});
