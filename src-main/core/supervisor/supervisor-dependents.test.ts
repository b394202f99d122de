import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../stack/types';
import { stoppedBySentence, type ServiceStatus } from '../../../src-shared/model/service';
import { Supervisor } from './supervisor';
import type { SignalEvent } from './service-process';
import {
  cleanup,
  freePort,
  makeTempDir,
  serviceSpec,
  tracker,
  type Tracker,
} from './test-fixtures/helpers';

// Stopping a service others need: its dependents stop for 'dependency stopped' (log and
// journal get that reason with the signal) and their status names it until they run again.
// Real child processes (test-fixtures/service.mjs), real pid files in a temp dir.

let t: Tracker;
let sup: Supervisor;
let signals: { name: string; event: SignalEvent }[];
/** Every status the supervisor emitted, in order. */
let seen: ServiceStatus[][];

beforeEach(async () => {
  t = tracker();
  sup = new Supervisor({ runDir: await makeTempDir(t) });
  signals = [];
  seen = [];
  sup.onSignal((name, event) => signals.push({ name, event }));
  sup.onChange((statuses) => {
    seen.push(statuses);
    for (const s of statuses) if (s.pid !== null && !t.pids.includes(s.pid)) t.pids.push(s.pid);
  });
});

afterEach(async () => {
  await sup.dispose();
  await cleanup(t);
});

const byName = (name: string): ServiceStatus => sup.statuses().find((s) => s.name === name)!;

/** server <- runner <- ui, with display names like the real stack's. */
async function stack(): Promise<ServiceSpec[]> {
  const port = await freePort();
  return [
    serviceSpec('server', ['--listen', String(port)], {
      displayName: 'Stigmer server',
      readiness: { kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 10_000 },
      ports: [port],
    }),
    serviceSpec('runner', ['--print', 'runner ready'], {
      displayName: 'Agent runner',
      dependsOn: ['server'],
      readiness: { kind: 'log', stream: 'stdout', pattern: 'runner ready', timeoutMs: 10_000 },
    }),
    serviceSpec('ui', ['--print', 'ui ready'], {
      displayName: 'UI',
      dependsOn: ['runner'],
      readiness: { kind: 'log', stream: 'stdout', pattern: 'ui ready', timeoutMs: 10_000 },
    }),
  ];
}

describe('Supervisor: dependents of a stopped service', () => {
  it("a user stop stops the dependents for 'dependency stopped' and names the cause", async () => {
    sup.setSpec({ services: await stack() });
    await sup.startAll();
    expect(sup.dependentsUp('server')).toEqual(['runner', 'ui']);
    await sup.stop('server');

    const reasons = new Map(signals.map((s) => [s.name, s.event.reason]));
    expect(reasons.get('server')).toBe('user stop');
    expect(reasons.get('runner')).toBe('dependency stopped');
    expect(reasons.get('ui')).toBe('dependency stopped');
    expect(signals.find((s) => s.name === 'runner')!.event.detail).toMatch(
      /^SIGTERM to pid \d+.*: dependency stopped$/,
    );
    expect(byName('server').stoppedBy).toBeNull();
    expect(byName('runner').stoppedBy).toEqual({ name: 'server', displayName: 'Stigmer server' });
    expect(byName('ui').stoppedBy).toEqual({ name: 'server', displayName: 'Stigmer server' });
    expect(stoppedBySentence(byName('runner'))).toBe(
      'Stigmer server was stopped and Agent runner needs it',
    );
    // The first status that says 'stopped' already says why (the journal entry is made from it).
    const runner = seen.map((all) => all.find((s) => s.name === 'runner')!);
    const upTo = runner.findIndex((s) => s.state === 'stopping');
    const entered = runner.slice(upTo).find((s) => s.state === 'stopped');
    expect(entered?.stoppedBy?.name).toBe('server');
    expect(sup.dependentsUp('server')).toEqual([]);
  });

  it('keeps the cause while the service stays stopped; clears it once it runs again', async () => {
    sup.setSpec({ services: await stack() });
    await sup.startAll();
    await sup.stop('server');
    await sup.start('server');
    expect(byName('server').state).toBe('ready');
    // Starting the server alone does not bring them back; the window offers to.
    expect(byName('runner').state).toBe('stopped');
    expect(byName('runner').stoppedBy?.name).toBe('server');
    await sup.start('runner');
    expect(byName('runner').state).toBe('ready');
    expect(byName('runner').stoppedBy).toBeNull();
    expect(byName('ui').stoppedBy?.name).toBe('server');
    await sup.stopAll();
    expect(sup.statuses().map((s) => s.stoppedBy)).toEqual([null, null, null]);
  });

  it('names no cause for dependents that were already down, nor for restart and stopAll', async () => {
    sup.setSpec({ services: await stack() });
    await sup.start('runner');
    // ui never ran: stopping the server does not claim it stopped ui.
    await sup.stop('server');
    expect(byName('runner').stoppedBy?.name).toBe('server');
    expect(byName('ui').stoppedBy).toBeNull();

    await sup.start('runner');
    signals = [];
    await sup.restart('server');
    expect(byName('runner').state).toBe('ready');
    expect(byName('runner').stoppedBy).toBeNull();
    expect(signals.find((s) => s.name === 'runner')!.event.reason).toBe('restart');

    await sup.stopAll();
    expect(byName('runner').stoppedBy).toBeNull();
  });

  it('a user stop of the dependent itself replaces the cause', async () => {
    sup.setSpec({ services: await stack() });
    await sup.startAll();
    await sup.stop('runner');
    expect(byName('ui').stoppedBy).toEqual({ name: 'runner', displayName: 'Agent runner' });
    expect(byName('runner').stoppedBy).toBeNull();
    // Stopping the server now: ui was already down, the runner is named by its own stop.
    await sup.stop('server');
    expect(byName('ui').stoppedBy?.name).toBe('runner');
    expect(byName('runner').stoppedBy).toBeNull();
  });
});
