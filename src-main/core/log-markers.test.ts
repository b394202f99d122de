import { describe, expect, it } from 'vitest';
import { logMarkerFor } from './log-markers';

describe('logMarkerFor', () => {
  it('turns service events into log lines with pid, actor and detail', () => {
    expect(
      logMarkerFor({ type: 'service.starting', actor: 'system', service: 'runner', pid: 42 }),
    ).toEqual({ text: '── starting (pid 42) ──', level: 'info' });
    expect(
      logMarkerFor({
        type: 'service.crashed',
        actor: 'system',
        service: 'runner',
        pid: 42,
        detail: 'runner exited with code 1.',
      }),
    ).toEqual({ text: '── exited (pid 42): runner exited with code 1. ──', level: 'error' });
    expect(
      logMarkerFor({ type: 'service.stop-requested', actor: 'tray', service: 'runner', pid: 42 }),
    ).toEqual({ text: '── stop requested by the tray ──', level: 'info' });
    expect(
      logMarkerFor({ type: 'service.stopped', actor: 'system', service: 'runner', pid: 42 }),
    ).toEqual({ text: '── stopped ──', level: 'info' });
  });

  it('leaves out events that are not about one service', () => {
    expect(logMarkerFor({ type: 'stack.start-requested', actor: 'window' })).toBeNull();
    expect(logMarkerFor({ type: 'key.entered', actor: 'window', key: 'X' })).toBeNull();
    expect(
      logMarkerFor({ type: 'key.delivered', actor: 'system', service: 'runner', pid: 1 }),
    ).toBeNull();
  });
});
