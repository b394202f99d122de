import { describe, expect, it } from 'vitest';
import type { RestartPolicy } from '../stack/types';
import { CrashHistory, backoffDelay, isCrashLoop, wantsRestart } from './restart-policy';

const policy: RestartPolicy = {
  policy: 'on-failure',
  initialBackoffMs: 100,
  maxBackoffMs: 1_000,
  crashLoopCount: 3,
  crashLoopWindowMs: 10_000,
};

describe('restart policy', () => {
  it('doubles the backoff up to the maximum, with +-20 % jitter', () => {
    const mid = (): number => 0.5;
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(policy, n, mid))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
    expect(backoffDelay(policy, 1, () => 0)).toBe(80);
    expect(backoffDelay(policy, 1, () => 0.999999)).toBe(120);
  });

  it('restarts per policy', () => {
    const clean = { code: 0, signal: null };
    const crash = { code: 1, signal: null };
    expect(wantsRestart(policy, clean)).toBe(false);
    expect(wantsRestart(policy, crash)).toBe(true);
    expect(wantsRestart({ ...policy, policy: 'always' }, clean)).toBe(true);
    expect(wantsRestart({ ...policy, policy: 'never' }, crash)).toBe(false);
  });

  it('counts only crashes inside the window', () => {
    const history = new CrashHistory();
    expect(history.record(0, policy)).toBe(1);
    expect(history.record(5_000, policy)).toBe(2);
    expect(history.record(12_000, policy)).toBe(2); // the one at 0 left the window
    expect(isCrashLoop(policy, history.record(13_000, policy))).toBe(true);
    expect(history.span()).toBe(8_000);
    history.reset();
    expect(history.record(20_000, policy)).toBe(1);
  });
});
