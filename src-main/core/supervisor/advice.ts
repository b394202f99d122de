import { formatSeconds } from './readiness';

/** How a child ended, as the OS told us. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** "exited with code 1" / "was killed by SIGSEGV". */
export function describeExit(exit: ExitInfo): string {
  if (exit.signal !== null) return `was killed by ${exit.signal}`;
  return `exited with code ${exit.code ?? 'unknown'}`;
}

/** The sentence quoting the child's last line, so the real reason is on screen. */
export function lastOutputSentence(line: string | null): string {
  return line === null ? 'It printed nothing.' : `Last output: "${line}".`;
}

/** A crash that will be retried after a backoff. */
export function crashRetryAdvice(
  name: string,
  exit: ExitInfo,
  last: string | null,
  delayMs: number,
): string {
  return `${name} ${describeExit(exit)}. ${lastOutputSentence(last)} Restarting in ${formatSeconds(delayMs)}.`;
}

/** A crash loop: the supervisor gives up until the user starts the service again. */
export function crashLoopAdvice(
  name: string,
  count: number,
  spanMs: number,
  exit: ExitInfo,
  last: string | null,
): string {
  return (
    `${name} crashed ${count} times in ${formatSeconds(spanMs)} and will not be restarted ` +
    `(last time it ${describeExit(exit)}). ${lastOutputSentence(last)} ` +
    'Fix the cause shown above, then start it again.'
  );
}

/** An exit that the restart policy does not retry. */
export function noRestartAdvice(
  name: string,
  exit: ExitInfo,
  last: string | null,
  wasReady: boolean,
): string {
  const when = wasReady ? '' : ' before it was ready';
  return `${name} ${describeExit(exit)}${when}. ${lastOutputSentence(last)} It is not restarted automatically; start it again when the cause is fixed.`;
}

/** Readiness did not come in time; `what` is e.g. "did not open port 7234 within 30 s". */
export function readinessTimeoutAdvice(name: string, what: string, last: string | null): string {
  return `${name} ${what}. ${lastOutputSentence(last)} It was stopped. Check its output, or raise the readiness timeout in the stack file if it is just slow.`;
}

/** The program could not be spawned at all. */
export function spawnFailedAdvice(name: string, command: string, cwd: string, why: string): string {
  return `${name} could not be started (${why}). Check that ${command} exists and is executable and that the folder ${cwd} exists.`;
}

/** A dependency did not come up, so this service was not started. */
export function skippedAdvice(name: string, dependency: string, depState: string): string {
  if (depState === 'needs-key') {
    return `${name} was not started because ${dependency} needs a key. It starts once the key is entered.`;
  }
  if (depState === 'held') {
    return `${name} was not started because ${dependency} is held back: the audit journal cannot be written. It starts once it can (Retry).`;
  }
  const verb =
    depState === 'stopped' ? 'was stopped' : depState === 'skipped' ? 'did not start' : 'failed';
  return `${name} was not started because ${dependency} ${verb}. Start ${dependency} first.`;
}

/** The service's program was not found. */
export function notInstalledAdvice(name: string, searched: readonly string[]): string {
  const where = searched.length > 0 ? ` Looked in: ${searched.join(', ')}.` : '';
  return `${name} is not installed.${where} Install it, or set its path in the stack file.`;
}
