import { describe, expect, it } from 'vitest';
import { serviceStatus } from '../../src-shared/model/test-snapshots';
import { serviceLabelFor } from './tray-model';

// The tray's service line says when the runner inside the app runs; a path (a runner the user
// installed) is left to the window's row, being too long for a menu line.

const NOW = 1_000_000_000;

describe('serviceLabelFor and the bundled runner', () => {
  it('adds "bundled 3.8.0" when the app runs its own runner', () => {
    const runner = serviceStatus('agent-runner', 'ready', {
      startedAt: NOW - 60_000,
      program: 'bundled 3.8.0',
    });
    expect(serviceLabelFor(runner, NOW)).toBe('● agent-runner   ready · 1m · bundled 3.8.0');
  });

  it('leaves a path out', () => {
    const runner = serviceStatus('agent-runner', 'stopped', {
      program: '/home/me/.npm-global/lib/node_modules/@stigmer/runner-slim/main.js',
    });
    expect(serviceLabelFor(runner, NOW)).not.toContain('/home/me');
  });
});
