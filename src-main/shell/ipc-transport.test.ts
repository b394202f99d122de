import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { buildApi } from '../../src-shared/ipc/api';
import { EVENT_CHANNELS, INVOKE_CHANNELS } from '../../src-shared/ipc/contract';
import { createIpcTransport, type IpcLike } from './ipc-transport';

function fakeIpc() {
  const emitter = new EventEmitter();
  const invoke = vi.fn(async (channel: string, args: unknown) => ({
    ok: true,
    value: { channel, args },
  }));
  const ipc = {
    invoke,
    on: (channel: string, listener: (...a: unknown[]) => void) => emitter.on(channel, listener),
    removeListener: (channel: string, listener: (...a: unknown[]) => void) =>
      emitter.removeListener(channel, listener),
  } as unknown as IpcLike;
  return { ipc, invoke, emitter };
}

describe('createIpcTransport', () => {
  it('invokes through ipcRenderer.invoke with the channel and the one argument', async () => {
    const { ipc, invoke } = fakeIpc();
    const api = buildApi(createIpcTransport(ipc));
    const result = await api.invoke('services:start', { name: 'agent-runner' });
    expect(invoke).toHaveBeenCalledWith('services:start', { name: 'agent-runner' });
    expect(result).toEqual({
      ok: true,
      value: { channel: 'services:start', args: { name: 'agent-runner' } },
    });
  });

  it('never forwards unknown channels to ipcRenderer', async () => {
    const { ipc, invoke } = fakeIpc();
    const api = buildApi(createIpcTransport(ipc));
    const result = await api.invoke('secrets:get' as never, undefined as never);
    expect(result).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
    expect(invoke).not.toHaveBeenCalled();
  });

  it('passes only the payload to listeners, never the IPC event', () => {
    const { ipc, emitter } = fakeIpc();
    const api = buildApi(createIpcTransport(ipc));
    const listener = vi.fn();
    api.on('services:changed', listener);
    const event = { sender: { send: () => undefined }, ports: [] };
    emitter.emit('services:changed', event, { version: 7 });
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener.mock.calls[0]).toEqual([{ version: 7 }]);
  });

  it('unsubscribe removes exactly its own listener, once', () => {
    const { ipc, emitter } = fakeIpc();
    const transport = createIpcTransport(ipc);
    const first = vi.fn();
    const second = vi.fn();
    const offFirst = transport.subscribe('services:changed', first);
    transport.subscribe('services:changed', second);
    expect(emitter.listenerCount('services:changed')).toBe(2);
    offFirst();
    offFirst(); // idempotent: must not remove the other subscriber
    expect(emitter.listenerCount('services:changed')).toBe(1);
    emitter.emit('services:changed', {}, 'payload');
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledWith('payload');
  });

  it('refuses non-contract channels even when called without buildApi', async () => {
    const { ipc, invoke } = fakeIpc();
    const transport = createIpcTransport(ipc);
    let deep: unknown = 'x';
    for (let i = 0; i < 5000; i++) deep = [deep];
    for (const channel of ['shell:exec', deep, 'app:info\n']) {
      expect(await transport.invoke(channel as string, undefined)).toMatchObject({
        ok: false,
        error: { code: 'unknown-channel' },
      });
    }
    expect(invoke).not.toHaveBeenCalled();
    expect(() => transport.subscribe('secrets:values', () => undefined)).toThrow(/Unknown event/);
  });

  it('turns a rejected or malformed reply from main into an IpcResult with advice', async () => {
    const { ipc, invoke } = fakeIpc();
    const transport = createIpcTransport(ipc);
    invoke.mockRejectedValueOnce(new Error("No handler registered for 'app:info'"));
    expect(await transport.invoke('app:info', undefined)).toMatchObject({
      ok: false,
      error: {
        code: 'internal',
        message: expect.stringMatching(/did not answer app:info.*try again/),
      },
    });
    for (const reply of [null, 'ok', { ok: 'yes' }, { ok: false, error: null }, { ok: false }]) {
      invoke.mockResolvedValueOnce(reply as never);
      expect(await transport.invoke('app:info', undefined)).toMatchObject({
        ok: false,
        error: { code: 'internal' },
      });
    }
  });

  it('exposes the contract channels and nothing else', () => {
    const api = buildApi(createIpcTransport(fakeIpc().ipc));
    expect(Object.keys(api).sort()).toEqual(['channels', 'invoke', 'on']);
    expect(api.channels.invoke).toEqual(INVOKE_CHANNELS);
    expect(api.channels.events).toEqual(EVENT_CHANNELS);
  });
});
