import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceStatus } from '../../../src-shared/model/service';
import { logMarkerFor } from '../log-markers';
import type { SignalEvent } from './service-process';
import { Supervisor } from './supervisor';
import {
  cleanup,
  eventually,
  makeTempDir,
  serviceSpec,
  tracker,
  type Tracker,
} from './test-fixtures/helpers';

// Failure knowledge in the restart decision, and the stop story, with real child processes that
// replay output captured from the real runner (failure-fixtures/).

const FIXTURES = join(import.meta.dirname, 'failure-fixtures');
const ON_FAILURE = {
  policy: 'on-failure' as const,
  initialBackoffMs: 50,
  maxBackoffMs: 200,
  crashLoopCount: 5,
  crashLoopWindowMs: 60_000,
};

let t: Tracker;
let runDir: string;
let sup: Supervisor;
let signals: SignalEvent[];
let seen: ServiceStatus['state'][];

beforeEach(async () => {
  t = tracker();
  runDir = await makeTempDir(t);
  sup = new Supervisor({ runDir });
  signals = [];
  seen = [];
  sup.onSignal((_name, e) => signals.push(e));
  sup.onChange((statuses) => {
    for (const s of statuses) {
      if (s.pid !== null && !t.pids.includes(s.pid)) t.pids.push(s.pid);
      if (seen.at(-1) !== s.state) seen.push(s.state);
    }
  });
});

afterEach(async () => {
  await sup.dispose();
  await cleanup(t);
});

const status = (name: string): ServiceStatus => sup.statuses().find((s) => s.name === name)!;
const spawns = async (log: string): Promise<number> =>
  (await readFile(log, 'utf8').catch(() => '')).split('\n').filter((l) => l.startsWith('start:'))
    .length;
/** Longer than the largest backoff: a restart that was going to come has come by then. */
const settle = () => new Promise((r) => setTimeout(r, 500));

describe('failure knowledge decides the restart', () => {
  it('a permanent failure (Node too old, captured) fails at once, explained, without a retry', async () => {
    const log = join(runDir, 'events.log');
    const replay = join(FIXTURES, 'node-too-old');
    sup.setSpec({
      services: [
        serviceSpec('runner', ['--log', log, '--replay', replay, '--exit', '1'], {
          restart: ON_FAILURE,
          readiness: { kind: 'log', stream: 'stdout', pattern: 'never', timeoutMs: 30_000 },
        }),
      ],
    });
    await expect(sup.start('runner')).rejects.toThrow(/needs Node >= 22\.13/);
    await settle();
    const s = status('runner');
    expect(s.state).toBe('failed');
    expect(s.failure).toMatchObject({ kind: 'node-too-old', permanent: true });
    expect(s.lastError).toContain('runner gave up: runner needs Node >= 22.13');
    expect(s.lastError).toContain('Settings → Programs → Node');
    expect(s.restarts).toBe(0);
    expect(seen).not.toContain('backoff');
    expect(await spawns(log)).toBe(1);
  });

  it('a transient failure (rate limited, captured) is retried with backoff; the same reason twice fails', async () => {
    const log = join(runDir, 'events.log');
    const replay = join(FIXTURES, 'api-anthropic-429');
    sup.setSpec({
      services: [
        serviceSpec('runner', ['--log', log, '--replay', replay, '--exit', '1'], {
          restart: ON_FAILURE,
          readiness: { kind: 'log', stream: 'stdout', pattern: 'never', timeoutMs: 30_000 },
        }),
      ],
    });
    await expect(sup.start('runner')).rejects.toThrow(/twice in a row/);
    await settle();
    const s = status('runner');
    expect(s.state).toBe('failed');
    expect(s.failure).toMatchObject({ kind: 'rate-limited', permanent: false });
    expect(s.lastError).toContain('429 rate limit');
    expect(seen).toContain('backoff');
    expect(s.restarts).toBe(1);
    expect(await spawns(log)).toBe(2);
  });

  it('an unexplained crash keeps the old behaviour: backoff, then the crash loop quotes the last line', async () => {
    const log = join(runDir, 'events.log');
    sup.setSpec({
      services: [
        serviceSpec('svc', ['--log', log, '--eprint', 'something odd', '--exit', '1'], {
          restart: { ...ON_FAILURE, crashLoopCount: 3 },
          readiness: { kind: 'log', stream: 'stdout', pattern: 'never', timeoutMs: 30_000 },
        }),
      ],
    });
    await expect(sup.start('svc')).rejects.toThrow(/crashed 3 times/);
    expect(status('svc').failure).toBeNull();
    expect(status('svc').lastError).toContain('Last output: "something odd"');
    expect(await spawns(log)).toBe(3);
  });
});

describe('the stop story', () => {
  it('stop while starting (SIGTERM ignored, never ready) returns, with SIGTERM then SIGKILL recorded', async () => {
    const log = join(runDir, 'events.log');
    sup.setSpec({
      services: [
        serviceSpec('stubborn', ['--log', log, '--ignore-sigterm'], {
          readiness: { kind: 'log', stream: 'stdout', pattern: 'never', timeoutMs: 60_000 },
        }),
      ],
    });
    const starting = sup.start('stubborn');
    await eventually(
      async () => (await readFile(log, 'utf8').catch(() => '')).includes('start:'),
      'spawned',
    );
    const pid = status('stubborn').pid;
    expect(status('stubborn').state).toBe('starting');
    await sup.stop('stubborn');
    // The cancelled start is what the user asked for, not an error.
    await expect(starting).resolves.toBeUndefined();
    expect(status('stubborn').state).toBe('stopped');
    expect(status('stubborn').pid).toBeNull();
    expect(await readFile(log, 'utf8')).toContain('sigterm:stubborn');
    expect(signals.map((s) => s.detail)).toEqual([
      `SIGTERM to pid ${pid} (group): user stop`,
      `SIGKILL to pid ${pid} (group) after 0.3 s grace: still running (user stop)`,
    ]);
    // The same sentences become the system lines of its log (app-core passes them through).
    const lines = signals.map(
      (s) =>
        logMarkerFor({
          type: 'service.signal',
          actor: 'system',
          service: 'stubborn',
          detail: s.detail,
        })?.text,
    );
    expect(lines).toEqual(signals.map((s) => `── ${s.detail} ──`));
  });

  it('a fatal line printed while stopped after the readiness timeout becomes the reason', async () => {
    const fatal = (await readFile(join(FIXTURES, 'temporal-timeout', 'stderr.txt'), 'utf8'))
      .split('\n')
      .find((l) => l.includes('GetSystemInfo'))!;
    sup.setSpec({
      services: [
        serviceSpec('runner', ['--sigterm-eprint', fatal], {
          env: { TEMPORAL_SERVICE_ADDRESS: '127.0.0.1:7233' },
          readiness: { kind: 'log', stream: 'stdout', pattern: 'Worker ready', timeoutMs: 300 },
          stop: { kind: 'signal', signal: 'SIGTERM', graceMs: 5_000 },
        }),
      ],
    });
    await expect(sup.start('runner')).rejects.toThrow(/no Temporal answered/);
    const s = status('runner');
    expect(s.state).toBe('failed');
    expect(s.failure?.kind).toBe('temporal-unreachable');
    expect(s.lastError).toContain('did not print a line matching "Worker ready" within 0.3 s');
    expect(s.lastError).not.toContain('raise the readiness timeout');
    expect(signals).toHaveLength(1);
    expect(signals[0]!.detail).toMatch(
      /^SIGTERM to pid \d+ \(group\): readiness timeout \(it did not print/,
    );
  });

  it('with nothing printed, the readiness timeout still says to raise it', async () => {
    sup.setSpec({
      services: [
        serviceSpec('slow', [], {
          readiness: { kind: 'log', stream: 'stdout', pattern: 'never', timeoutMs: 200 },
        }),
      ],
    });
    await expect(sup.start('slow')).rejects.toThrow(/raise the readiness timeout/);
    expect(status('slow').failure).toBeNull();
    expect(signals.map((s) => s.reason)).toEqual([
      'readiness timeout (it did not print a line matching "never" within 0.2 s)',
    ]);
  });

  it('quit and restart name themselves as the reason', async () => {
    sup.setSpec({ services: [serviceSpec('svc', [])] });
    await sup.start('svc');
    await sup.restart('svc');
    await sup.dispose();
    expect(signals.map((s) => s.reason)).toEqual(['restart', 'quit']);
  });
});
