import type { RestartPolicy } from '../stack/types';

/** Jitter is +-20 % so that services crashing together do not restart in lockstep. */
const JITTER = 0.2;

/** Whether an unexpected exit should be followed by a restart under `policy` (ignoring loops). */
export function wantsRestart(
  policy: RestartPolicy,
  exit: { code: number | null; signal: string | null },
): boolean {
  if (policy.policy === 'never') return false;
  if (policy.policy === 'always') return true;
  return !(exit.code === 0 && exit.signal === null);
}

/**
 * Delay before restart number `attempt` (1 = first restart): the initial backoff doubled per
 * attempt, capped at the maximum, then jittered. `random` returns [0, 1) like Math.random.
 */
export function backoffDelay(policy: RestartPolicy, attempt: number, random: () => number): number {
  const base = Math.min(
    policy.maxBackoffMs,
    policy.initialBackoffMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)),
  );
  const factor = 1 + (random() * 2 - 1) * JITTER;
  return Math.max(0, Math.round(base * factor));
}

/**
 * Crash times inside the crash-loop window. The number of recent crashes drives both the
 * backoff exponent (a service that ran fine for a while starts again from the initial delay)
 * and the crash-loop verdict.
 */
export class CrashHistory {
  private times: number[] = [];

  /** Record a crash at `at`; returns how many crashes fall inside the window, this one included. */
  record(at: number, policy: RestartPolicy): number {
    this.times = this.times.filter((t) => at - t < policy.crashLoopWindowMs);
    this.times.push(at);
    return this.times.length;
  }

  /** Milliseconds between the oldest crash in the window and the newest. */
  span(): number {
    if (this.times.length === 0) return 0;
    return this.times[this.times.length - 1]! - this.times[0]!;
  }

  /** Forget every crash (the user started the service by hand). */
  reset(): void {
    this.times = [];
  }
}

/** True when `count` crashes inside the window means "crash loop: give up". */
export function isCrashLoop(policy: RestartPolicy, count: number): boolean {
  return count >= Math.max(1, policy.crashLoopCount);
}
