// @vitest-environment jsdom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApi } from '../../src-shared/ipc/api';
import { stackSnapshot, serviceStatus } from '../../src-shared/model/test-snapshots';
import { useConnection } from '../api/connection';
import { resyncAll } from '../stores/resync';
import { sameError, useServices } from '../stores/services';
import { ConnectionBanner, NeedsLink } from './connection-banner';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let calls: string[];
let root: Root;
let host: HTMLDivElement;
beforeEach(() => {
  calls = [];
  const api = buildApi({
    async invoke(channel) {
      calls.push(channel);
      if (channel === 'stack:snapshot')
        return {
          ok: true,
          value: { ...stackSnapshot([serviceStatus('x', 'stopped')]), version: 99 },
        };
      if (channel === 'logs:tail') return { ok: true, value: { lines: [] } };
      return { ok: true, value: null };
    },
    subscribe: () => () => undefined,
  });
  Object.defineProperty(window, 'stigmer', { value: api, configurable: true });
  host = document.createElement('div');
  document.body.append(host);
  root = createRoot(host);
});
afterEach(() => {
  act(() => root.unmount());
  host.remove();
  useConnection.setState({ state: 'connected', nextAttemptAt: null, resumed: 0 });
});

describe('connection banner', () => {
  it('says at once that the app is not responding and that services may still run', () => {
    act(() => root.render(<ConnectionBanner />));
    expect(host.textContent).toBe('');
    act(() => useConnection.setState({ state: 'lost', nextAttemptAt: null }));
    const alert = host.querySelector('[role="alert"]')!;
    expect(alert.textContent).toContain(
      'Stigmer Local is not responding. Its services may still be running. Reconnecting…',
    );
    act(() => useConnection.setState({ state: 'connected', resumed: 1 }));
    expect(host.querySelector('[role="alert"]')).toBeNull();
    expect(host.textContent).toContain('Reconnected');
  });

  it('a page without the token explains how to open the app', () => {
    act(() => root.render(<NeedsLink refused={false} />));
    expect(host.textContent).toContain(
      'This page needs the link Stigmer Local printed when it started (it holds a one-time token).',
    );
    expect(host.textContent).toContain('npm run start:browser');
    expect(host.textContent).not.toContain('Connecting');
  });
});

describe('resync after a reconnect', () => {
  it('reads the snapshot, the keys and the log tail again, and drops an error from the outage', async () => {
    useServices.setState({ error: 'Stigmer Local is not responding, so this could not be done.' });
    resyncAll();
    await act(() => new Promise((r) => setTimeout(r, 0)));
    expect(calls).toEqual(expect.arrayContaining(['stack:snapshot', 'secrets:snapshot']));
    expect(useServices.getState().snapshot?.version).toBe(99);
    expect(useServices.getState().error).toBeNull();
  });

  it('an action error that a row already shows is not repeated in a banner', () => {
    expect(sameError('x crashed. Last output: "boom"', 'x crashed. Last output: "boom"')).toBe(
      true,
    );
    expect(sameError(null, 'anything')).toBe(false);
    expect(sameError('port 80 is in use', 'the journal cannot be written')).toBe(false);
  });
});
