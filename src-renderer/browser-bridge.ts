import { buildApi, type Transport } from '../src-shared/ipc/api';
import type { IpcResult } from '../src-shared/model/errors';

/**
 * Browser-host only: builds `window.stigmer` over a WebSocket to the loopback host, in the
 * place of Electron's preload. The token comes in the URL fragment (never sent to a server
 * log) and is kept in sessionStorage so that a reload keeps working.
 */
const TOKEN_KEY = 'stigmer.browserHostToken';
const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
if (fromHash) {
  sessionStorage.setItem(TOKEN_KEY, fromHash);
  history.replaceState(null, '', location.pathname + location.search);
}
const token = sessionStorage.getItem(TOKEN_KEY) ?? '';

type Pending = (result: IpcResult<unknown>) => void;
const pending = new Map<number, Pending>();
const listeners = new Map<string, Set<(payload: unknown) => void>>();
let nextId = 1;
let socket: WebSocket | null = null;
let opened: Promise<WebSocket> | null = null;
let retryMs = 250;

function connect(): Promise<WebSocket> {
  if (opened) return opened;
  opened = new Promise((resolve) => {
    const ws = new WebSocket(`ws://${location.host}/ipc?token=${encodeURIComponent(token)}`);
    ws.addEventListener('open', () => {
      socket = ws;
      retryMs = 250;
      resolve(ws);
      // Anything missed while disconnected is re-read by the stores on this event.
      for (const fn of listeners.get('bridge:reconnected') ?? []) fn(undefined);
    });
    ws.addEventListener('message', (ev) => {
      const msg = JSON.parse(String(ev.data)) as
        { id: number; result: IpcResult<unknown> } | { event: string; payload: unknown };
      if ('id' in msg) {
        pending.get(msg.id)?.(msg.result);
        pending.delete(msg.id);
      } else {
        for (const fn of listeners.get(msg.event) ?? []) fn(msg.payload);
      }
    });
    ws.addEventListener('close', () => {
      socket = null;
      opened = null;
      for (const [id, settle] of pending) {
        settle({
          ok: false,
          error: {
            code: 'failed',
            message: 'Lost the connection to Stigmer Local. Is it still running?',
          },
        });
        pending.delete(id);
      }
      setTimeout(() => void connect(), retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    });
  });
  return opened;
}

const transport: Transport = {
  async invoke(channel, args) {
    const ws = socket ?? (await connect());
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, channel, args }));
    });
  },
  subscribe(channel, listener) {
    let set = listeners.get(channel);
    if (!set) listeners.set(channel, (set = new Set()));
    set.add(listener);
    void connect();
    return () => set.delete(listener);
  },
};

Object.defineProperty(window, 'stigmer', { value: buildApi(transport), writable: false });
