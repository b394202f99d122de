import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../stack/types';
import { ServiceProcess } from './service-process';
import {
  cleanup,
  eventually,
  makeTempDir,
  serviceSpec,
  tracker,
  type Tracker,
} from './test-fixtures/helpers';

let t: Tracker;
let runDir: string;
let services: ServiceProcess[];

beforeEach(async () => {
  t = tracker();
  runDir = await makeTempDir(t);
  services = [];
});
afterEach(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await cleanup(t);
});

function make(spec: ServiceSpec): ServiceProcess {
  const sp: ServiceProcess = new ServiceProcess(spec, {
    runDir,
    now: Date.now,
    random: () => 0.5,
    prepareEnv: (s) => Promise.resolve({ ...s.env }),
    onChange: () => {
      const pid = sp.status().pid;
      if (pid !== null && !t.pids.includes(pid)) t.pids.push(pid);
    },
    onOutput: () => undefined,
  });
  services.push(sp);
  return sp;
}

describe('status text follows the state (issue 11, item 10)', () => {
  it('a service stopped while waiting to restart no longer says "Restarting in"', async () => {
    const sp = make(
      serviceSpec('flaky', ['--eprint', 'boom', '--exit', '1'], {
        restart: {
          ...serviceSpec('x', []).restart,
          policy: 'on-failure',
          // Long enough that the stop below certainly comes during the backoff.
          initialBackoffMs: 60_000,
          maxBackoffMs: 60_000,
        },
      }),
    );
    void sp.start();
    await eventually(() => sp.status().state === 'backoff', 'backoff');
    expect(sp.status().lastError).toMatch(/Restarting in 60 s\.$/);
    await sp.stop();
    const status = sp.status();
    expect(status.state).toBe('stopped');
    expect(status.lastError).toContain('exited with code 1');
    expect(status.lastError).not.toContain('Restarting in');
    expect(status.nextRestartAt).toBeNull();
  });

  it('"last output" holds the current child\'s lines only, not an earlier run\'s', async () => {
    const counter = join(runDir, 'runs');
    const sp = make(
      serviceSpec('flaky', ['--counter', counter, '--crashes', '1', '--print', 'up'], {
        readiness: { kind: 'log', stream: 'stdout', pattern: '^up$', timeoutMs: 10_000 },
        restart: { ...serviceSpec('x', []).restart, policy: 'on-failure', crashLoopCount: 5 },
      }),
    );
    expect(await sp.start()).toBe('ready');
    await eventually(() => {
      const s = sp.status();
      return s.restarts === 1 && s.state === 'ready';
    }, 'one restart');
    // Both children printed "up"; only the running one's is shown.
    expect(sp.status().lastLines).toEqual(['up']);
  });
});
