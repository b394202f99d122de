import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditGap, AuditInput } from '../../src-shared/model/audit';
import type { ServiceState, ServiceStatus } from '../../src-shared/model/service';
import { AuditJournal, verifyJournal } from './audit';
import { fakeClock } from './audit/test-helpers';
import { immutableSupport, makeImmutable } from './audit/test-outage';
import { KeysHeldError } from './supervisor';
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

// A real outage: the journal's file and folder made immutable (root only; see test-outage.ts).
const immutable = await immutableSupport();

describe('AuditRecorder when the journal cannot be written', () => {
  it.skipIf(immutable !== null)(
    `durable() rejects for a lost entry, the gap is told once writable, recovery listeners run${immutable ? ` (skipped: ${immutable})` : ''}`,
    async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'stigmer-recorder-'));
      const clock = fakeClock('2026-11-28T10:00:00.000Z');
      const journal = await AuditJournal.open({ dir, now: clock.now });
      const errors: string[] = [];
      const recorder = new AuditRecorder(
        journal,
        (e) => errors.push((e as Error).message),
        () => {},
        clock.now,
      );
      const recovered: AuditGap[] = [];
      recorder.onRecovered((gap) => recovered.push(gap));
      await recorder.record({ type: 'app.started', actor: 'system' });
      expect(await recorder.settled()).toEqual({ ok: true });
      const ok = recorder.checkpoint();
      await recorder.record({ type: 'key.released', actor: 'system', key: 'K' });
      await expect(recorder.durable(ok)).resolves.toBeUndefined();

      const lock = await makeImmutable(dir);
      try {
        const mark = recorder.checkpoint();
        clock.set('2026-11-28T10:01:00.000Z');
        expect(await recorder.record({ type: 'key.released', actor: 'system', key: 'K' })).toBe(
          null,
        );
        clock.set('2026-11-28T10:02:00.000Z');
        void recorder.record({ type: 'service.held', actor: 'system', service: 'runner' });
        const held = await recorder.durable(mark).then(
          () => null,
          (e: unknown) => e,
        );
        expect(held).toBeInstanceOf(KeysHeldError);
        expect((held as KeysHeldError).reason).toMatch(/^EPERM: /);
        expect((held as Error).message).toMatch(
          /^Audit journal cannot be written: EPERM: .*\. Keys are held back until it can\. /,
        );
        // A mark with nothing recorded after it has nothing to prove.
        await expect(recorder.durable(recorder.checkpoint())).resolves.toBeUndefined();
        expect(await recorder.settled()).toEqual({
          ok: false,
          reason: held && (held as KeysHeldError).reason,
        });
        expect(recorder.openGap()).toMatchObject({
          count: 2,
          firstAt: '2026-11-28T10:01:00.000Z',
          lastAt: '2026-11-28T10:02:00.000Z',
          recordedSeq: null,
        });
        // Retry while still failing: says why, closes nothing.
        expect(await recorder.probe('window')).toMatchObject({ ok: false });
        expect(recovered).toEqual([]);
        expect(errors.length).toBe(2);
      } finally {
        await lock.restore();
      }

      clock.set('2026-11-28T10:03:00.000Z');
      const after = await recorder.record({ type: 'service.ready', actor: 'system' });
      expect(recorder.openGap()).toBeNull();
      expect(recovered).toEqual([
        {
          count: 2,
          firstAt: '2026-11-28T10:01:00.000Z',
          lastAt: '2026-11-28T10:02:00.000Z',
          reason: expect.stringMatching(/^EPERM: /),
          recordedSeq: 3,
        },
      ]);
      const entries = await journal.readAll();
      // The gap entry comes first, then the event that found the journal writable again.
      expect(entries.map((e) => [e.seq, e.type, e.actor])).toEqual([
        [1, 'app.started', 'system'],
        [2, 'key.released', 'system'],
        [3, 'journal.gap', 'system'],
        [4, 'service.ready', 'system'],
      ]);
      expect(after?.seq).toBe(4);
      expect(entries[2]!.detail).toMatch(
        /^2 entries could not be written between 2026-11-28T10:01:00.000Z and 2026-11-28T10:02:00.000Z \(EPERM: .*\)\. The journal could be written again at 2026-11-28T10:03:00.000Z/,
      );
      expect(await verifyJournal(dir)).toMatchObject({
        ok: true,
        entries: 4,
        gaps: [{ count: 2, recordedSeq: 3 }],
      });
      await journal.close();
    },
  );

  it.skipIf(immutable !== null)(
    `probe() records the gap under the actor who retried${immutable ? ` (skipped: ${immutable})` : ''}`,
    async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'stigmer-recorder-'));
      const journal = await AuditJournal.open({ dir });
      const recorder = new AuditRecorder(journal, () => {});
      await recorder.record({ type: 'app.started', actor: 'system' });
      const lock = await makeImmutable(dir);
      try {
        await recorder.record({ type: 'key.released', actor: 'system', key: 'K' });
      } finally {
        await lock.restore();
      }
      expect(recorder.openGap()?.count).toBe(1);
      expect(await recorder.probe('tray')).toEqual({ ok: true });
      expect(await recorder.probe('tray')).toEqual({ ok: true });
      const entries = await journal.readAll();
      expect(entries.map((e) => [e.type, e.actor])).toEqual([
        ['app.started', 'system'],
        ['journal.gap', 'tray'],
      ]);
      await journal.close();
    },
  );
});
