import type { RestartPolicy } from '../stack/types';
import * as advice from './advice';
import type { ExitInfo } from './advice';
import { explainFailure, isSameFailure, type FailureExplanation } from './failure-knowledge';
import { formatSeconds } from './readiness';
import { backoffDelay, isCrashLoop, wantsRestart } from './restart-policy';

/** What the supervisor does after a child exited on its own. */
export type CrashVerdict =
  | { action: 'restart'; delayMs: number; error: string }
  | { action: 'stay-down'; state: 'stopped' | 'crashed' | 'failed'; error: string };

/** What a crash verdict is made from. */
export interface CrashInput {
  name: string;
  exit: ExitInfo;
  /** The child's own last lines, oldest first (only this run's). */
  lines: readonly string[];
  /** Its last meaningful line, quoted when nothing explains the exit. */
  last: string | null;
  /** The service's env without keys (only TEMPORAL_SERVICE_ADDRESS is read). */
  env: Readonly<Record<string, string>>;
  wasReady: boolean;
  policy: RestartPolicy;
  /** The explanation of the exit before this one (null when there was none or it was unexplained). */
  previous: FailureExplanation | null;
  /** Records this crash in the history; returns the crashes inside the window. */
  recordCrash: () => number;
  /** The crash history's span, for the crash-loop sentence. */
  span: () => number;
  random: () => number;
}

/** "The reason. The fix." as one piece of advice. */
export function explained(f: FailureExplanation): string {
  return `${f.reason} ${f.fix}`;
}

/**
 * Decide, from the exit and what the child printed, whether to restart it and what to tell the
 * user. An explained permanent failure, or the same explained failure twice in a row, gives up
 * at once: a retry cannot change the outcome, it only hides the reason under a crash loop.
 */
export function crashVerdict(input: CrashInput): {
  verdict: CrashVerdict;
  failure: FailureExplanation | null;
} {
  const { name, exit, policy } = input;
  const failure = explainFailure({
    lines: input.lines,
    exitCode: exit.code,
    signal: exit.signal,
    service: name,
    env: input.env,
  });
  const why = failure ? explained(failure) : null;
  if (!wantsRestart(policy, exit)) {
    const cleanAfterReady = input.wasReady && exit.code === 0 && exit.signal === null;
    const state = cleanAfterReady ? 'stopped' : policy.policy === 'never' ? 'crashed' : 'failed';
    const when = input.wasReady ? '' : ' before it was ready';
    const error = why
      ? `${name} ${advice.describeExit(exit)}${when}. ${why}`
      : advice.noRestartAdvice(name, exit, input.last, input.wasReady);
    return { verdict: { action: 'stay-down', state, error }, failure };
  }
  if (failure?.permanent) {
    const error = `${name} gave up: ${why} It is not restarted: retrying cannot fix this.`;
    return { verdict: { action: 'stay-down', state: 'failed', error }, failure };
  }
  if (failure && isSameFailure(input.previous, failure)) {
    const error = `${name} gave up: ${why} It failed the same way twice in a row, so it is not restarted again.`;
    return { verdict: { action: 'stay-down', state: 'failed', error }, failure };
  }
  const count = input.recordCrash();
  if (isCrashLoop(policy, count)) {
    const error = why
      ? `${name} crashed ${count} times in ${formatSeconds(input.span())} and will not be restarted. ${why}`
      : advice.crashLoopAdvice(name, count, input.span(), exit, input.last);
    return { verdict: { action: 'stay-down', state: 'failed', error }, failure };
  }
  const delayMs = backoffDelay(policy, count, input.random);
  const error = why
    ? `${name} ${advice.describeExit(exit)}. ${why} Restarting in ${formatSeconds(delayMs)}.`
    : advice.crashRetryAdvice(name, exit, input.last, delayMs);
  return { verdict: { action: 'restart', delayMs, error }, failure };
}

/**
 * Why a service that was stopped after its readiness timeout did not come up: what it printed
 * (also while it was being stopped) when that explains it, else the timeout with its last line.
 */
export function readinessVerdict(
  name: string,
  what: string,
  lines: readonly string[],
  last: string | null,
  env: Readonly<Record<string, string>>,
): { error: string; failure: FailureExplanation | null } {
  const failure = explainFailure({ lines, exitCode: null, signal: null, service: name, env });
  if (failure) return { error: `${name} ${what} and was stopped. ${explained(failure)}`, failure };
  return { error: advice.readinessTimeoutAdvice(name, what, last), failure: null };
}
