import { describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import type { ServiceState, ServiceStatus } from '../../src-shared/model/service';
import { notificationsFor } from './notify-model';
import { serviceStatus, stackSnapshot } from '../../src-shared/model/test-snapshots';
import {
  reasonLinesFor,
  serviceLabelFor,
  trayHeaderFor,
  trayMenuFor,
  type TrayActions,
} from './tray-model';

// The tray and the notifications for the 'waiting' state and for explained failures.

const NOW = Date.UTC(2026, 10, 28, 12);
const TEMPORAL = { label: 'Temporal', address: '127.0.0.1:7233' };
const RATE = {
  kind: 'rate-limited',
  reason:
    "The Anthropic API is limiting agent-runner's requests (429 rate limit); this passes by itself.",
  fix: 'Wait a minute and try again.',
  permanent: false,
};

const runner = (state: ServiceState, extra: Partial<ServiceStatus> = {}) =>
  serviceStatus('agent-runner', state, { displayName: 'Agent runner', critical: false, ...extra });
const server = (state: ServiceState) =>
  serviceStatus('stigmer-server', state, { displayName: 'Stigmer server', ports: [7234] });

function actions(): TrayActions {
  const f = vi.fn<(name?: string) => void>();
  return {
    startAll: f,
    stopAll: f,
    start: f,
    stop: f,
    restart: f,
    openDashboard: f,
    enterKey: f,
    rotateKey: f,
    lockKeys: f,
    retryAudit: f,
    quit: f,
  };
}

function submenu(services: ServiceStatus[], name: string): MenuItemConstructorOptions[] {
  const items = trayMenuFor(stackSnapshot(services), actions(), { now: NOW });
  return items.find((i) => i.id === `service:${name}`)!.submenu as MenuItemConstructorOptions[];
}

const enabled = (items: MenuItemConstructorOptions[], label: string) =>
  items.find((i) => i.label === label)?.enabled;

describe('tray: waiting', () => {
  const waiting = runner('waiting', { waitingFor: TEMPORAL });

  it('labels the service with what it waits for, and the header says it', () => {
    expect(serviceLabelFor(waiting, NOW)).toBe(
      '◐ agent-runner   waiting for Temporal at 127.0.0.1:7233',
    );
    expect(trayHeaderFor(stackSnapshot([server('ready'), waiting]))).toBe(
      'Stigmer Local — agent-runner: Waiting for Temporal at 127.0.0.1:7233',
    );
  });

  it('offers Stop and Restart (they cancel the wait), not Start, and shows the hint', () => {
    const items = submenu([server('ready'), waiting], 'agent-runner');
    expect(enabled(items, 'Stop')).toBe(true);
    expect(enabled(items, 'Restart')).toBe(true);
    expect(enabled(items, 'Start')).toBe(false);
    expect(items[0]).toMatchObject({
      label: 'Waiting for Temporal at 127.0.0.1:7233',
      enabled: false,
    });
    expect(String(items[1]!.label)).toContain('temporal server start-dev');
  });

  it('offers Stop and Restart while starting and in backoff too', () => {
    for (const state of ['starting', 'backoff'] as const) {
      const items = submenu([runner(state)], 'agent-runner');
      expect(enabled(items, 'Stop')).toBe(true);
      expect(enabled(items, 'Restart')).toBe(true);
    }
  });
});

describe('tray: explained failures', () => {
  it('puts the reason and the fix at the top of the submenu of a failed service', () => {
    const failed = runner('failed', {
      failure: RATE,
      lastError: `agent-runner gave up: ${RATE.reason}`,
    });
    expect(reasonLinesFor(failed)).toEqual([
      "The Anthropic API is limiting agent-runner's requests (429 rate limit); this passes by it…",
      'Wait a minute and try again.',
    ]);
    const items = submenu([failed], 'agent-runner');
    expect(items[0]).toMatchObject({ enabled: false });
    expect(items[2]).toMatchObject({ type: 'separator' });
  });

  it('falls back to the last error, and says nothing for a healthy service', () => {
    expect(reasonLinesFor(runner('crashed', { lastError: 'x exited with code 1.' }))).toEqual([
      'x exited with code 1.',
    ]);
    expect(reasonLinesFor(runner('ready'))).toEqual([]);
  });

  it('names the reason in the header when a critical service failed', () => {
    const failedServer = serviceStatus('stigmer-server', 'failed', {
      failure: {
        ...RATE,
        reason:
          'stigmer-server could not listen on 127.0.0.1:7234: another program already uses that port.',
      },
    });
    expect(trayHeaderFor(stackSnapshot([failedServer]))).toBe(
      // Short enough for a tooltip (Windows cuts them at 127 characters).
      'Stigmer Local — Failed: stigmer-server — stigmer-server could not listen on 127.0.0.1:7234: another …',
    );
  });
});

describe('notifications: waiting and explained failures', () => {
  it('announces a wait once per address (dependents waiting behind it stay quiet)', () => {
    const before = stackSnapshot([runner('starting'), serviceStatus('helper', 'stopped')]);
    const after = stackSnapshot([
      runner('waiting', { waitingFor: TEMPORAL }),
      serviceStatus('helper', 'waiting', { waitingFor: TEMPORAL }),
    ]);
    const notes = notificationsFor(before, after);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({
      service: 'agent-runner',
      kind: 'waiting',
      title: 'Agent runner: Waiting for Temporal at 127.0.0.1:7233',
    });
    expect(notes[0]!.body).toContain('temporal server start-dev');
    expect(notificationsFor(after, after)).toEqual([]);
  });

  it('a failure with a known cause gives the reason and the fix as the body', () => {
    const before = stackSnapshot([runner('backoff')]);
    const after = stackSnapshot([
      runner('failed', { failure: RATE, lastError: 'agent-runner gave up: …', lastLines: ['429'] }),
    ]);
    expect(notificationsFor(before, after)).toEqual([
      {
        service: 'agent-runner',
        kind: 'failed',
        title: 'Agent runner stopped (optional)',
        body: `${RATE.reason} ${RATE.fix}`,
      },
    ]);
  });
});
