import { describe, expect, it } from 'vitest';
import type { ServiceState, ServiceStatus } from '../../src-shared/model/service';
import { notificationsFor } from './notify-model';
import { serviceStatus, stackSnapshot } from '../../src-shared/model/test-snapshots';

function service(
  name: string,
  state: ServiceState,
  extra: Partial<ServiceStatus> = {},
): ServiceStatus {
  const runner = name === 'agent-runner';
  return serviceStatus(name, state, {
    displayName: runner ? 'Agent runner' : 'Stigmer server',
    critical: !runner,
    ...extra,
  });
}

const snap = (...services: ServiceStatus[]) => stackSnapshot(services);

describe('notificationsFor', () => {
  it('says nothing about the first snapshot, however bad', () => {
    expect(notificationsFor(null, snap(service('stigmer-server', 'failed')))).toEqual([]);
  });

  it('announces a service that gave up, with its reason, once', () => {
    const before = snap(service('stigmer-server', 'backoff'), service('agent-runner', 'ready'));
    const failed = snap(
      service('stigmer-server', 'failed', {
        lastError: 'Crashed 5 times in 60 s;\n  not restarting. See its last lines.',
        lastLines: ['panic: boom'],
      }),
      service('agent-runner', 'ready'),
    );
    expect(notificationsFor(before, failed)).toEqual([
      {
        service: 'stigmer-server',
        kind: 'failed',
        title: 'Stigmer server stopped',
        body: 'Crashed 5 times in 60 s; not restarting. See its last lines.',
      },
    ]);
    // Still failed in the next snapshot: not again.
    expect(notificationsFor(failed, failed)).toEqual([]);
  });

  it('falls back to the last line, shortens long text, and marks optional services', () => {
    const n = notificationsFor(
      snap(service('agent-runner', 'starting')),
      snap(service('agent-runner', 'failed', { lastLines: ['x', 'y'.repeat(500)] })),
    );
    expect(n).toHaveLength(1);
    expect(n[0]!.title).toBe('Agent runner stopped (optional)');
    expect(n[0]!.body.startsWith('Last line: yyy')).toBe(true);
    expect(n[0]!.body.length).toBe(180);
    expect(n[0]!.body.endsWith('…')).toBe(true);
  });

  it('announces a service waiting for a key, naming the key and never a value', () => {
    const n = notificationsFor(
      snap(service('agent-runner', 'starting')),
      snap(service('agent-runner', 'needs-key', { neededKeys: ['ANTHROPIC_API_KEY'] })),
    );
    expect(n).toEqual([
      {
        service: 'agent-runner',
        kind: 'needs-key',
        title: 'Agent runner needs a key',
        body: 'Enter ANTHROPIC_API_KEY to start it. The key is only passed to the services that use it.',
      },
    ]);
  });

  it('stays quiet for crashes being retried, stops, starts and new services', () => {
    const quiet: [ServiceState, ServiceState][] = [
      ['ready', 'crashed'],
      ['crashed', 'backoff'],
      ['ready', 'stopping'],
      ['stopping', 'stopped'],
      ['stopped', 'starting'],
      ['starting', 'ready'],
      ['stopped', 'not-installed'],
    ];
    for (const [from, to] of quiet) {
      expect(
        notificationsFor(
          snap(service('stigmer-server', from)),
          snap(service('stigmer-server', to)),
        ),
      ).toEqual([]);
    }
    expect(
      notificationsFor(snap(), snap(service('stigmer-server', 'failed', { lastError: 'x' }))),
    ).toEqual([]);
  });
});
