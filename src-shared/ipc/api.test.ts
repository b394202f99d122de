import { describe, expect, it } from 'vitest';
import { buildApi, type Transport } from './api';
import { EVENT_CHANNELS, INVOKE_CHANNELS } from './contract';

function recordingTransport() {
  const invoked: string[] = [];
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const transport: Transport = {
    async invoke(channel, args) {
      invoked.push(`${channel} ${JSON.stringify(args)}`);
      return { ok: true, value: null };
    },
    subscribe(channel, listener) {
      const set = listeners.get(channel) ?? new Set();
      listeners.set(channel, set);
      set.add(listener);
      return () => set.delete(listener);
    },
  };
  const emit = (channel: string, payload: unknown) =>
    listeners.get(channel)?.forEach((l) => l(payload));
  return { transport, invoked, emit };
}

describe('window.stigmer built from the contract', () => {
  it('exposes exactly invoke, on and the channel lists, frozen', () => {
    const api = buildApi(recordingTransport().transport);
    expect(Object.keys(api).sort()).toEqual(['channels', 'invoke', 'on']);
    expect(Object.isFrozen(api)).toBe(true);
    expect(api.channels.invoke).toEqual(INVOKE_CHANNELS);
    expect(api.channels.events).toEqual(EVENT_CHANNELS);
  });

  it('refuses a channel outside the contract without reaching the transport', async () => {
    const { transport, invoked } = recordingTransport();
    const api = buildApi(transport);
    const result = await api.invoke('secrets:reveal' as never, undefined as never);
    expect(result).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
    expect(invoked).toEqual([]);
    expect(() => api.on('ipc:raw' as never, () => undefined)).toThrow(/Unknown event channel/);
  });

  it('forwards contract calls and returns an unsubscribe from on()', async () => {
    const { transport, invoked, emit } = recordingTransport();
    const api = buildApi(transport);
    await api.invoke('services:start', { name: 'agent-runner' });
    expect(invoked).toEqual(['services:start {"name":"agent-runner"}']);
    const got: unknown[] = [];
    const off = api.on('services:changed', (p) => got.push(p));
    emit('services:changed', { version: 1 });
    off();
    emit('services:changed', { version: 2 });
    expect(got).toEqual([{ version: 1 }]);
  });
});
