import { connect } from 'node:net';
import type { Readiness } from '../stack/types';
import type { LineListener } from './line-tail';
import { sleep } from './process-group';

/**
 * How long a tcp or http probe waits before trying again, by how long it has waited so far:
 * every 10 ms for the first 10 s (a port is seen within ~10 ms of opening: a refused loopback
 * connect costs microseconds, so ~100 a second for a few seconds is cheap), then 25 ms up to a
 * minute, then 100 ms for the slow starters. There is no portable event for "a port opened".
 */
export function pollDelayMs(elapsedMs: number): number {
  if (elapsedMs < 10_000) return 10;
  if (elapsedMs < 60_000) return 25;
  return 100;
}

/** Outcome of waiting for readiness. */
export type ReadinessResult = 'ready' | 'timeout' | 'aborted';

/** Where the log probe gets the child's lines from; returns an unsubscribe function. */
export type LineSource = (listener: LineListener) => () => void;

/** One TCP connect attempt: true when something accepts; an abort destroys the socket at once. */
function tcpAccepts(
  host: string,
  port: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(ok);
    };
    const onAbort = (): void => done(false);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Where an http readiness URL connects (for the cheap TCP check before each GET). */
function httpTarget(url: string): { host: string; port: number } | null {
  try {
    const u = new URL(url);
    const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port };
  } catch {
    return null;
  }
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

/** Poll `attempt` (see pollDelayMs) until it succeeds, the deadline passes or `signal` aborts. */
async function poll(
  attempt: (budgetMs: number) => Promise<boolean>,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<ReadinessResult> {
  const start = Date.now();
  const deadline = start + timeoutMs;
  while (!signal.aborted) {
    const left = deadline - Date.now();
    if (left <= 0) return 'timeout';
    if (await attempt(Math.min(1_000, left))) return signal.aborted ? 'aborted' : 'ready';
    const pause = pollDelayMs(Date.now() - start);
    await sleep(Math.min(pause, Math.max(0, deadline - Date.now())), signal);
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
        (budget) => tcpAccepts(readiness.host, readiness.port, budget, signal),
        readiness.timeoutMs,
        signal,
      );
    case 'http': {
      // A GET only once the port takes connections: fetch on a closed port is far costlier
      // than a refused connect, and polling fast is only cheap with the latter.
      const target = httpTarget(readiness.url);
      return poll(
        async (budget) =>
          (target === null || (await tcpAccepts(target.host, target.port, budget, signal))) &&
          httpAnswers(readiness.url, budget, signal),
        readiness.timeoutMs,
        signal,
      );
    }
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
