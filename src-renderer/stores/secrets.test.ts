import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApi } from '../../src-shared/ipc/api';
import type { KeyDialogRequest, SecretsSnapshot } from '../../src-shared/model/secret';
import { useSecrets } from './secrets';

/** A main process stand-in behind the real contract-built API: a pending request and events. */
function fakeMain() {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const state = { request: null as KeyDialogRequest | null, takes: 0 };
  const snapshot: SecretsSnapshot = {
    keys: [],
    keychain: { backend: 'none', available: false, reason: 'test' },
    touchIdAvailable: false,
    needed: [],
    consumers: {},
  };
  const api = buildApi({
    async invoke(channel) {
      if (channel === 'secrets:snapshot') return { ok: true, value: snapshot };
      if (channel === 'ui:take-key-dialog-request') {
        state.takes++;
        const value = state.request;
        state.request = null;
        return { ok: true, value };
      }
      return { ok: false, error: { code: 'failed', message: `unexpected ${channel}` } };
    },
    subscribe(channel, listener) {
      const set = listeners.get(channel) ?? new Set();
      listeners.set(channel, set);
      set.add(listener);
      return () => set.delete(listener);
    },
  });
  const emit = (channel: string) => {
    for (const l of listeners.get(channel) ?? []) l({});
  };
  return { api, state, emit, listeners };
}

const settle = () => new Promise((r) => setTimeout(r, 0));
let main: ReturnType<typeof fakeMain>;
let stop: () => void;

beforeEach(() => {
  main = fakeMain();
  (globalThis as { window?: unknown }).window = { stigmer: main.api };
  useSecrets.setState({ dialog: null, declined: [], snapshot: null });
});
afterEach(() => {
  stop?.();
  delete (globalThis as { window?: unknown }).window;
});

describe('secrets store: key-dialog requests from the tray', () => {
  it('takes a request made before the window loaded, then each later one once', async () => {
    main.state.request = { name: 'ANTHROPIC_API_KEY', mode: 'rotate' };
    stop = useSecrets.getState().init();
    await settle();
    expect(useSecrets.getState().dialog).toEqual({ name: 'ANTHROPIC_API_KEY', mode: 'rotate' });
    expect(main.state.request).toBeNull();

    useSecrets.getState().closeDialog();
    main.state.request = { name: 'OPENAI_API_KEY', mode: 'enter' };
    main.emit('ui:key-dialog-requested');
    await settle();
    expect(useSecrets.getState().dialog).toEqual({ name: 'OPENAI_API_KEY', mode: 'enter' });
  });

  it('keeps an open dialog (and what is typed in it) when a request comes', async () => {
    stop = useSecrets.getState().init();
    await settle();
    useSecrets.getState().openDialog('CURSOR_API_KEY', 'enter');
    main.state.request = { name: 'ANTHROPIC_API_KEY', mode: 'rotate' };
    main.emit('ui:key-dialog-requested');
    await settle();
    expect(useSecrets.getState().dialog).toEqual({ name: 'CURSOR_API_KEY', mode: 'enter' });
    expect(main.state.request).toBeNull(); // taken, not left to pop up later
  });

  it('stops listening when the window unsubscribes', async () => {
    stop = useSecrets.getState().init();
    await settle();
    const takes = main.state.takes;
    stop();
    main.emit('ui:key-dialog-requested');
    await settle();
    expect(main.state.takes).toBe(takes);
    expect(main.listeners.get('ui:key-dialog-requested')?.size ?? 0).toBe(0);
  });
});
