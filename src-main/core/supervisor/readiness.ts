import { connect } from 'node:net';
import type { Readiness } from '../stack/types';
import type { LineListener } from './line-tail';
import { sleep } from './process-group';

/** How often tcp and http probes try again. */
const POLL_MS = 100;

/** Outcome of waiting for readiness. */
export type ReadinessResult = 'ready' | 'timeout' | 'aborted';

/** Where the log probe gets the child's lines from; returns an unsubscribe function. */
export type LineSource = (listener: LineListener) => () => void;

/** One TCP connect attempt: true when something accepts the connection. */
function tcpAccepts(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** One HTTP GET: true on 2xx/3xx (redirects are not followed: any answer means it is up). */
async function httpAnswers(url: string, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  try {
    const res = await fetch(url, {
      redirect: 'manual',
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
    await res.body?.cancel().catch(() => undefined);
    return res.status >= 200 && res.status < 400;
  } catch {
    return false;
  }
}

/** Poll `attempt` every POLL_MS until it succeeds, the deadline passes or `signal` aborts. */
async function poll(
  attempt: (budgetMs: number) => Promise<boolean>,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<ReadinessResult> {
  const deadline = Date.now() + timeoutMs;
  while (!signal.aborted) {
    const left = deadline - Date.now();
    if (left <= 0) return 'timeout';
    if (await attempt(Math.min(1_000, left))) return signal.aborted ? 'aborted' : 'ready';
    await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())), signal);
  }
  return 'aborted';
}

/** Compile the readiness pattern; a pattern that is not a valid regex is matched literally. */
function toRegExp(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch {
    return new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  }
}

/** Wait for a line matching the pattern on the chosen stream. */
function waitForLine(
  readiness: Extract<Readiness, { kind: 'log' }>,
  lines: LineSource,
  signal: AbortSignal,
): Promise<ReadinessResult> {
  const regex = toRegExp(readiness.pattern);
  return new Promise((resolve) => {
    let unsubscribe: () => void = () => undefined;
    const finish = (result: ReadinessResult): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      unsubscribe();
      resolve(result);
    };
    const onAbort = (): void => finish('aborted');
    const timer = setTimeout(() => finish('timeout'), readiness.timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    unsubscribe = lines((stream, line) => {
      if ((readiness.stream === 'any' || readiness.stream === stream) && regex.test(line)) {
        finish('ready');
      }
    });
    if (signal.aborted) finish('aborted');
  });
}

/** Wait until the service is ready according to its readiness rule. */
export function waitForReadiness(
  readiness: Readiness,
  lines: LineSource,
  signal: AbortSignal,
): Promise<ReadinessResult> {
  switch (readiness.kind) {
    case 'none':
      return Promise.resolve('ready');
    case 'tcp':
      return poll(
        (budget) => tcpAccepts(readiness.host, readiness.port, budget),
        readiness.timeoutMs,
        signal,
      );
    case 'http':
      return poll(
        (budget) => httpAnswers(readiness.url, budget, signal),
        readiness.timeoutMs,
        signal,
      );
    case 'log':
      return waitForLine(readiness, lines, signal);
  }
}

/** "30 s", "0.5 s": durations as people read them in messages. */
export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : Number(s.toFixed(1))} s`;
}

/** What the service failed to do in time, e.g. "did not open port 7234 within 30 s". */
export function describeReadinessTimeout(readiness: Readiness): string {
  switch (readiness.kind) {
    case 'none':
      return 'did not start';
    case 'tcp':
      return `did not open port ${readiness.port} within ${formatSeconds(readiness.timeoutMs)}`;
    case 'http':
      return `did not answer ${readiness.url} within ${formatSeconds(readiness.timeoutMs)}`;
    case 'log':
      return `did not print a line matching "${readiness.pattern}" within ${formatSeconds(readiness.timeoutMs)}`;
  }
}
