import { describe, expect, it } from 'vitest';
import type { ServiceStatus, StackSnapshot } from '../../../src-shared/model/service';
import { stackStateOf } from '../../../src-shared/model/service';
import { serviceStatus } from '../../../src-shared/model/test-snapshots';
import { windowTitle } from './window-title';

function snap(services: ServiceStatus[]): StackSnapshot {
  return {
    state: stackStateOf(services),
    services,
    stackFile: { path: '/h/.stigmer/stack.yaml', exists: true, error: null },
    version: 1,
  };
}

describe('windowTitle', () => {
  it('carries the stack state and the ready count, not counting what is not installed', () => {
    const running = snap([
      serviceStatus('stigmer-server', 'ready'),
      serviceStatus('agent-runner', 'ready'),
      serviceStatus('temporal', 'not-installed'),
    ]);
    expect(windowTitle(running, 'connected')).toBe('Stigmer Local — Running · 2 of 2 ready');
    const starting = snap([
      serviceStatus('stigmer-server', 'ready'),
      serviceStatus('agent-runner', 'starting'),
    ]);
    expect(windowTitle(starting, 'connected')).toBe('Stigmer Local — Starting… · 1 of 2 ready');
    const stopped = snap([serviceStatus('stigmer-server', 'stopped')]);
    expect(windowTitle(stopped, 'connected')).toBe('Stigmer Local — Stopped · 0 of 1 ready');
  });

  it('says nothing is installed, and only the name before the first snapshot', () => {
    const empty = snap([serviceStatus('temporal', 'not-installed')]);
    expect(windowTitle(empty, 'connected')).toBe('Stigmer Local — Nothing installed');
    expect(windowTitle(null, 'connected')).toBe('Stigmer Local');
    expect(windowTitle(null, 'connecting')).toBe('Stigmer Local');
  });

  it('does not repeat a stale state while the app does not answer', () => {
    const running = snap([serviceStatus('stigmer-server', 'ready')]);
    expect(windowTitle(running, 'lost')).toBe('Stigmer Local — Not responding');
    expect(windowTitle(running, 'refused')).toBe('Stigmer Local — Not responding');
  });
});
