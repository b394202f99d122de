import { describe, expect, it } from 'vitest';
import type { ServiceStatus } from '../../../src-shared/model/service';
import { serviceStatus } from '../../../src-shared/model/test-snapshots';
import { programState } from './program-state';

function status(name: string, over: Partial<ServiceStatus> = {}): ServiceStatus {
  return serviceStatus(name, 'stopped', { critical: false, ...over });
}

const node22 = {
  kind: 'node',
  path: '/home/u/.nvm/versions/node/v22.23.5/bin/node',
  version: 'v22.23.5',
  source: 'nvm',
} as const;

describe('programState', () => {
  it('says found / not found for a service, and "needs Node" when only its Node is missing', () => {
    const services = [
      status('temporal', { state: 'not-installed' }),
      status('stigmer-server'),
      status('agent-runner', {
        state: 'not-installed',
        runtimeNeeded: { kind: 'node', range: '>=22.13' },
      }),
    ];
    expect(programState('temporal', services)).toBe('not found');
    expect(programState('stigmer-server', services)).toBe('found');
    expect(programState('agent-runner', services)).toBe('found, but needs Node 22.13+');
    expect(programState('node', services)).toBe('agent-runner needs Node 22.13+');
  });

  it('names which Node each Node program runs on', () => {
    const services = [
      status('stigmer-server', {
        runtime: { kind: 'node', path: '/usr/bin/node', version: 'v20.20.2', source: 'app' },
      }),
      status('agent-runner', { runtime: node22 }),
    ];
    expect(programState('node', services)).toBe(
      "stigmer-server runs on Node v20.20.2 (the app's own); agent-runner runs on Node v22.23.5 (nvm)",
    );
  });

  it('has nothing to say about Node when no service is a Node program, nor about an absent service', () => {
    expect(programState('node', [status('temporal')])).toBeNull();
    expect(programState('agent-runner', [status('temporal')])).toBeNull();
  });
});
