import { describe, expect, it } from 'vitest';
import { SERVICE_STATES } from '../../../src-shared/model/service';
import { serviceStatus } from '../../../src-shared/model/test-snapshots';
import { canRestart, canStart, canStop } from './format';
import { rowActionReasons, stackActionReasons } from './disabled-reasons';

describe('rowActionReasons', () => {
  it('gives a reason exactly where an action is not offered, in every state', () => {
    for (const state of SERVICE_STATES) {
      const service = serviceStatus('agent-runner', state);
      const why = rowActionReasons(service, {});
      expect(why.start === null, `start in ${state}`).toBe(canStart(service));
      expect(why.stop === null, `stop in ${state}`).toBe(canStop(service));
      expect(why.restart === null, `restart in ${state}`).toBe(canRestart(service));
      for (const reason of Object.values(why)) {
        if (reason !== null) expect(reason).not.toBe('Not possible in this state.');
      }
    }
  });

  it('says what to do for a missing program or key', () => {
    expect(rowActionReasons(serviceStatus('temporal', 'not-installed'), {}).start).toContain(
      'Settings → Programs',
    );
    expect(rowActionReasons(serviceStatus('agent-runner', 'needs-key'), {}).start).toContain(
      'Enter key',
    );
  });

  it('names the request in flight', () => {
    const stopped = serviceStatus('agent-runner', 'stopped');
    expect(rowActionReasons(stopped, { start: 'Starting…' }).start).toBe('Already starting.');
    const ready = serviceStatus('agent-runner', 'ready');
    expect(rowActionReasons(ready, { stop: 'Stopping…' })).toEqual({
      start: 'Stopping; Start is possible once it has stopped.',
      stop: 'Already stopping.',
      restart: 'Stopping; use Start once it has stopped.',
    });
  });
});

describe('stackActionReasons', () => {
  const idle = { starting: false, stopping: false, installed: 2, allUp: false, anyRunning: true };
  it('is null for usable actions and says why otherwise', () => {
    expect(stackActionReasons(idle)).toEqual({ startAll: null, stopAll: null });
    expect(stackActionReasons({ ...idle, anyRunning: false }).stopAll).toBe('Nothing is running.');
    expect(stackActionReasons({ ...idle, installed: 0 }).startAll).toContain(
      'Nothing is installed',
    );
    expect(stackActionReasons({ ...idle, allUp: true }).startAll).toContain('already running');
    expect(stackActionReasons({ ...idle, stopping: true })).toEqual({
      startAll: 'Stopping the stack; Start all is possible once it has stopped.',
      stopAll: 'Already stopping the stack.',
    });
  });
});
