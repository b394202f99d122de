// @vitest-environment jsdom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApi } from '../../../src-shared/ipc/api';
import { unavailableStatus, type UpdateStatus } from '../../../src-shared/model/updates';
import { UpdateBanner } from './update-banner';
import { useUpdates } from './updates-store';

// The banner in real React (jsdom) over the real api object; the transport stands in for main.

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const ready: UpdateStatus = {
  ...unavailableStatus('0.1.0', ''),
  phase: 'ready',
  reason: null,
  enabled: true,
  version: '0.2.0',
  releaseNotes: 'Fixes\n• <script>alert(1)</script> is text here',
  progress: { percent: 100, transferred: 10, total: 10, bytesPerSecond: 1 },
};

let calls: string[];
let current: UpdateStatus;
let push: (status: UpdateStatus) => void;
let installReply: () =>
  { ok: true; value: UpdateStatus } | { ok: false; error: { code: 'conflict'; message: string } };
let root: Root;
let host: HTMLDivElement;

beforeEach(() => {
  calls = [];
  current = {
    ...ready,
    phase: 'downloading',
    progress: { percent: 40, transferred: 4_000_000, total: 10_000_000, bytesPerSecond: 1 },
  };
  installReply = () => ({ ok: true, value: { ...current, phase: 'installing' } });
  const listeners = new Set<(payload: unknown) => void>();
  push = (status) => {
    current = status;
    for (const l of listeners) l(status);
  };
  const api = buildApi({
    async invoke(channel) {
      calls.push(channel);
      if (channel === 'updates:status') return { ok: true, value: current };
      if (channel === 'updates:install') return installReply();
      return { ok: true, value: null };
    },
    subscribe: (channel, listener) => {
      if (channel !== 'updates:changed') return () => undefined;
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  });
  Object.defineProperty(window, 'stigmer', { value: api, configurable: true });
  useUpdates.setState({
    status: null,
    laterFor: null,
    rollbackClosed: false,
    busy: null,
    actionError: null,
  });
  host = document.createElement('div');
  document.body.append(host);
  root = createRoot(host);
});
afterEach(() => {
  act(() => root.unmount());
  host.remove();
});

const restart = () =>
  [...host.querySelectorAll('button')].find((b) => b.textContent === 'Restart now') ?? null;

describe('update banner', () => {
  it('shows the download with progress, then "ready" with Restart now and the notes as text', async () => {
    await act(async () => root.render(<UpdateBanner />));
    expect(host.textContent).toContain('Downloading Stigmer Local 0.2.0… 40% (4.0 MB of 10.0 MB)');
    expect(host.querySelector('progress')?.getAttribute('value')).toBe('40');
    act(() => push(ready));
    expect(host.textContent).toContain('Stigmer Local 0.2.0 is ready');
    expect(restart()?.disabled).toBe(false);
    const notes = host.querySelector('[data-field="release-notes"]');
    expect(notes?.textContent).toBe(ready.releaseNotes);
    expect(host.querySelector('script')).toBeNull();
    await act(async () => restart()?.click());
    expect(calls).toContain('updates:install');
    expect(host.textContent).toContain('Stopping the stack and installing Stigmer Local 0.2.0');
  });

  it('keeps Restart now disabled with the reason while a rotation runs, and offers it after', async () => {
    current = { ...ready, deferredBecause: 'A rotation of ANTHROPIC_API_KEY is in progress.' };
    await act(async () => root.render(<UpdateBanner />));
    const button = restart();
    expect(button?.disabled).toBe(true);
    expect(button?.title).toContain('A rotation of ANTHROPIC_API_KEY is in progress.');
    const why = document.getElementById(button?.getAttribute('aria-describedby') ?? '');
    expect(why?.textContent).toContain('It can restart as soon as that ends.');
    act(() => push({ ...ready, deferredBecause: null }));
    expect(restart()?.disabled).toBe(false);
  });

  it("shows main's refusal as advice, and Later hides this version", async () => {
    current = ready;
    installReply = () => ({
      ok: false,
      error: { code: 'conflict', message: 'The update waits: Agent runner is starting.' },
    });
    await act(async () => root.render(<UpdateBanner />));
    await act(async () => restart()?.click());
    expect(host.querySelector('[role="alert"]')?.textContent).toBe(
      'The update waits: Agent runner is starting.',
    );
    act(() => [...host.querySelectorAll('button')].find((b) => b.textContent === 'Later')?.click());
    expect(host.querySelector('[data-field="update-banner"]')).toBeNull();
  });

  it('shows nothing where updates are unavailable, and the rollback notice when there is one', async () => {
    current = unavailableStatus('0.1.0', 'Updates come with the desktop app.');
    await act(async () => root.render(<UpdateBanner />));
    expect(host.textContent).toBe('');
    act(() =>
      push({
        ...unavailableStatus('0.2.0', 'x'),
        phase: 'idle',
        rollback: {
          previousVersion: '0.1.0',
          updatedVersion: '0.2.0',
          downloadUrl: 'https://github.com/stigmer/stigmer-local/releases/tag/v0.1.0',
          message: 'Stigmer Local 0.2.0 did not finish starting last time after its update.',
        },
      }),
    );
    const link = host.querySelector('a');
    expect(host.textContent).toContain('did not finish starting last time');
    expect(link?.getAttribute('href')).toBe(
      'https://github.com/stigmer/stigmer-local/releases/tag/v0.1.0',
    );
    expect(link?.textContent).toContain('Download Stigmer Local 0.1.0');
  });
});
