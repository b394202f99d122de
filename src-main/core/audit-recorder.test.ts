import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditInput } from '../../src-shared/model/audit';
import type { ServiceState, ServiceStatus } from '../../src-shared/model/service';
import { AuditJournal } from './audit';
import { AuditRecorder } from './audit-recorder';
import type { SecretStore } from './secrets';

let dir: string;
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const status = (state: ServiceState, extra: Partial<ServiceStatus> = {}) =>
  ({
    name: 'runner',
    state,
    pid: null,
    restarts: 0,
    lastError: null,
    ...extra,
  }) as ServiceStatus;

describe('AuditRecorder.servicesChanged', () => {
  it('tells a crash and its automatic restart with the right pids, and not the idle start', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'stigmer-recorder-'));
    const journal = await AuditJournal.open({ dir });
    const seen: AuditInput[] = [];
    const recorder = new AuditRecorder(
      journal,
      (e) => {
        throw e;
      },
      (input) => seen.push(input),
    );
    const noSecrets = {} as SecretStore;
    const steps: ServiceStatus[] = [
      status('stopped'),
      status('starting'),
      status('starting', { pid: 10 }),
      status('ready', { pid: 10 }),
      // The child was killed: its pid is cleared before the state says so.
      status('ready', { pid: null }),
      status('backoff', { lastError: 'runner was killed by SIGKILL.' }),
      status('starting'),
      status('starting', { restarts: 1 }),
      status('starting', { pid: 11, restarts: 1 }),
      status('ready', { pid: 11, restarts: 1 }),
      status('stopping', { pid: 11, restarts: 1 }),
      status('stopped', { restarts: 1 }),
    ];
    for (const s of steps) recorder.servicesChanged([s], noSecrets, () => []);
    await recorder.settled();
    const entries = (await journal.readAll()).map((e) => [e.type, e.pid, e.outcome]);
    expect(entries).toEqual([
      ['service.starting', null, 'info'],
      ['service.ready', 10, 'info'],
      ['service.crashed', 10, 'failed'],
      ['service.restarting', null, 'info'],
      ['service.ready', 11, 'info'],
      ['service.stopped', 11, 'info'],
    ]);
    // The synchronous hook saw the same events, in the same order.
    expect(seen.map((i) => i.type)).toEqual(entries.map(([type]) => type));
    await journal.close();
  });
});
