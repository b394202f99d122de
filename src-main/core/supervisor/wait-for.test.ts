import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceStatus } from '../../../src-shared/model/service';
import { Supervisor } from './supervisor';
import {
  cleanup,
  eventually,
  freePort,
  makeTempDir,
  serviceSpec,
  tracker,
  type Tracker,
} from './test-fixtures/helpers';
import { tcpOpen } from './wait-for';

// wait_for: a service waits (state 'waiting', nothing spawned, nothing retried) until an address
// outside the stack accepts connections, then starts. Real listeners, real children.

let t: Tracker;
let runDir: string;
let sup: Supervisor;
let servers: Server[];
let restartsSeen: number;

beforeEach(async () => {
  t = tracker();
  runDir = await makeTempDir(t);
  servers = [];
  restartsSeen = 0;
  sup = new Supervisor({ runDir, waitProbeMs: 50 });
  sup.onChange((statuses) => {
    for (const s of statuses) {
      if (s.pid !== null && !t.pids.includes(s.pid)) t.pids.push(s.pid);
      restartsSeen = Math.max(restartsSeen, s.restarts);
    }
  });
});

afterEach(async () => {
  await sup.dispose();
  for (const server of servers) server.close();
  await cleanup(t);
});

const status = (name: string): ServiceStatus => sup.statuses().find((s) => s.name === name)!;
const spawned = async (log: string): Promise<string[]> =>
  (await readFile(log, 'utf8').catch(() => '')).split('\n').filter((l) => l.startsWith('start:'));

function listen(port: number): Promise<void> {
  const server = createServer((socket) => socket.destroy());
  servers.push(server);
  return new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
}

/** Several probes' worth of time: long enough for a wrong spawn to have happened. */
const probes = () => new Promise((r) => setTimeout(r, 300));

describe('wait_for', () => {
  it('tcpOpen tells an open port from a closed one', async () => {
    const port = await freePort();
    expect(await tcpOpen('127.0.0.1', port)).toBe(false);
    await listen(port);
    expect(await tcpOpen('127.0.0.1', port)).toBe(true);
  });

  it('waits on a closed address without spawning, then starts as soon as it opens', async () => {
    const port = await freePort();
    const log = join(runDir, 'events.log');
    sup.setSpec({
      services: [
        serviceSpec('runner', ['--log', log, '--print', 'Worker ready'], {
          waitFor: { env: 'TEMPORAL_SERVICE_ADDRESS', label: 'Temporal' },
          env: { TEMPORAL_SERVICE_ADDRESS: `127.0.0.1:${port}` },
          readiness: { kind: 'log', stream: 'stdout', pattern: 'Worker ready', timeoutMs: 10_000 },
          restart: { ...serviceSpec('x', []).restart, policy: 'on-failure' },
        }),
      ],
    });
    // The start request settles: waiting is not a failure and does not hold the caller.
    await sup.start('runner');
    expect(status('runner').state).toBe('waiting');
    expect(status('runner').waitingFor).toEqual({
      label: 'Temporal',
      address: `127.0.0.1:${port}`,
    });
    await probes();
    expect(status('runner').state).toBe('waiting');
    expect(await spawned(log)).toEqual([]);
    await listen(port);
    await eventually(() => status('runner').state === 'ready', 'ready once the port opened');
    expect(await spawned(log)).toHaveLength(1);
    expect(status('runner').waitingFor).toBeNull();
    expect(restartsSeen).toBe(0);
  });

  it('stop while waiting: stopped at once, and nothing is spawned even when the port opens', async () => {
    const port = await freePort();
    const log = join(runDir, 'events.log');
    sup.setSpec({
      services: [
        serviceSpec('runner', ['--log', log], {
          waitFor: { host: '127.0.0.1', port, label: 'Temporal' },
        }),
      ],
    });
    await sup.start('runner');
    expect(status('runner').state).toBe('waiting');
    await sup.stop('runner');
    expect(status('runner').state).toBe('stopped');
    expect(status('runner').waitingFor).toBeNull();
    await listen(port);
    await probes();
    expect(status('runner').state).toBe('stopped');
    expect(await spawned(log)).toEqual([]);
  });

  it('dependents of a waiting service wait too, and start after it', async () => {
    const port = await freePort();
    const log = join(runDir, 'events.log');
    sup.setSpec({
      services: [
        serviceSpec('a', ['--log', log], {
          waitFor: { host: '127.0.0.1', port, label: 'Temporal' },
        }),
        serviceSpec('b', ['--log', log], { dependsOn: ['a'] }),
      ],
    });
    await sup.startAll();
    expect(status('a').state).toBe('waiting');
    expect(status('b').state).toBe('waiting');
    expect(status('b').waitingFor).toEqual(status('a').waitingFor);
    await probes();
    expect(await spawned(log)).toEqual([]);
    await listen(port);
    await eventually(
      () => status('a').state === 'ready' && status('b').state === 'ready',
      'both ready once the port opened',
    );
    // Readiness 'none': ready at spawn, so the fixture's own log line may come a moment later.
    await eventually(async () => (await spawned(log)).length === 2, 'both logged their start');
    expect((await spawned(log)).sort()).toEqual(['start:a', 'start:b']);
  });

  it('stopping the waited-for service stops its waiting dependents too', async () => {
    const port = await freePort();
    sup.setSpec({
      services: [
        serviceSpec('a', [], { waitFor: { host: '127.0.0.1', port, label: 'Temporal' } }),
        serviceSpec('b', [], { dependsOn: ['a'] }),
      ],
    });
    await sup.startAll();
    expect(status('b').state).toBe('waiting');
    await sup.stop('a');
    expect(status('a').state).toBe('stopped');
    expect(status('b').state).toBe('stopped');
  });

  it('when the waited-for service fails after its address opened, its dependents stop waiting, saying why', async () => {
    const port = await freePort();
    sup.setSpec({
      services: [
        serviceSpec('a', ['--exit', '1'], {
          waitFor: { host: '127.0.0.1', port, label: 'Temporal' },
          readiness: { kind: 'log', stream: 'stdout', pattern: 'never', timeoutMs: 10_000 },
        }),
        serviceSpec('b', [], { dependsOn: ['a'] }),
      ],
    });
    await sup.startAll();
    expect(status('b').state).toBe('waiting');
    await listen(port);
    await eventually(() => status('b').state === 'stopped', 'b no longer waiting');
    expect(status('a').state).toBe('crashed');
    expect(status('b').lastError).toContain('b was not started because a failed');
  });

  it('an address that is open already starts the service without a wait', async () => {
    const port = await freePort();
    await listen(port);
    const states: string[] = [];
    sup.onChange((all) => states.push(all[0]!.state));
    sup.setSpec({
      services: [serviceSpec('a', [], { waitFor: { host: '127.0.0.1', port, label: 'x' } })],
    });
    await sup.start('a');
    expect(status('a').state).toBe('ready');
    expect(states).not.toContain('waiting');
  });
});
