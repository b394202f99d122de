import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditInput } from '../../src-shared/model/audit';
import type { ServiceState, ServiceStatus } from '../../src-shared/model/service';
import { AuditJournal } from './audit';
import { AuditRecorder } from './audit-recorder';
import { logMarkerFor } from './log-markers';
import type { SecretStore } from './secrets';

// A dependent stopped because the user stopped a service it needs: the journal entry and the
// line in its log say which (real journal in a temp dir).

let dir: string;
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const runner = (state: ServiceState, extra: Partial<ServiceStatus> = {}) =>
  ({
    name: 'agent-runner',
    displayName: 'Agent runner',
    state,
    pid: null,
    restarts: 0,
    lastError: null,
    ...extra,
  }) as ServiceStatus;

describe('AuditRecorder: stopped because a dependency was stopped', () => {
  it('journals the cause with the stop and puts it in the log line', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'stigmer-recorder-deps-'));
    const journal = await AuditJournal.open({ dir });
    const seen: AuditInput[] = [];
    const recorder = new AuditRecorder(
      journal,
      (e) => {
        throw e;
      },
      (input) => seen.push(input),
    );
    const by = { name: 'stigmer-server', displayName: 'Stigmer server' };
    for (const s of [
      runner('ready', { pid: 7 }),
      runner('stopping', { pid: 7 }),
      runner('stopped', { stoppedBy: by }),
      runner('starting'),
      runner('ready', { pid: 8 }),
      runner('stopping', { pid: 8 }),
      runner('stopped'),
    ]) {
      recorder.servicesChanged([s], {} as SecretStore, () => []);
    }
    await recorder.settled();
    const stops = (await journal.readAll()).filter((e) => e.type === 'service.stopped');
    expect(stops.map((e) => e.detail ?? '')).toEqual([
      'Stigmer server was stopped and Agent runner needs it',
      '',
    ]);
    const lines = seen.filter((i) => i.type === 'service.stopped').map((i) => logMarkerFor(i));
    expect(lines[0]).toEqual({
      text: '── stopped: Stigmer server was stopped and Agent runner needs it ──',
      level: 'info',
    });
    expect(lines[1]?.text).toBe('── stopped ──');
    await journal.close();
  });
});
