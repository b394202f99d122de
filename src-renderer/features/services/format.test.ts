import { describe, expect, it } from 'vitest';
import type { ServiceState, ServiceStatus } from '../../../src-shared/model/service';
import { serviceStatus } from '../../../src-shared/model/test-snapshots';
import { canRestart, canStart, canStop, stateLabelFor } from './format';

const status = (state: ServiceState, extra: Partial<ServiceStatus> = {}): ServiceStatus =>
  serviceStatus('agent-runner', state, { displayName: 'Agent runner', critical: false, ...extra });

describe('service row actions', () => {
  it('Stop and Restart are offered while it starts, waits or backs off (they cancel that start)', () => {
    for (const state of ['starting', 'waiting', 'backoff'] as const) {
      expect(canStop(status(state)), state).toBe(true);
      expect(canRestart(status(state)), state).toBe(true);
      expect(canStart(status(state)), state).toBe(false);
    }
  });

  it('nothing to stop once stopped or stopping', () => {
    for (const state of ['stopped', 'stopping', 'not-installed'] as const) {
      expect(canStop(status(state)), state).toBe(false);
    }
  });

  it('the pill says what it waits for', () => {
    const w = status('waiting', { waitingFor: { label: 'Temporal', address: '127.0.0.1:7233' } });
    expect(stateLabelFor(w)).toBe('Waiting for Temporal at 127.0.0.1:7233');
    expect(stateLabelFor(status('waiting'))).toBe('Waiting');
    expect(stateLabelFor(status('backoff'))).toBe('Restarting soon');
  });
});
