import { buildApi, type Transport } from '../src-shared/ipc/api';
import { BridgeConnection } from './api/bridge-connection';

/**
 * Browser-host only: builds `window.stigmer` over a WebSocket to the loopback host, in the
 * place of Electron's preload, and `window.stigmerConnection` (state and heartbeat) for the
 * banner. The token comes in the URL fragment (never sent to a server log) and is kept in
 * sessionStorage so that a reload keeps working.
 */
const TOKEN_KEY = 'stigmer.browserHostToken';
const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
if (fromHash) {
  sessionStorage.setItem(TOKEN_KEY, fromHash);
  history.replaceState(null, '', location.pathname + location.search);
}
const token = sessionStorage.getItem(TOKEN_KEY) ?? '';

const connection = new BridgeConnection({
  token,
  openSocket: (t) => new WebSocket(`ws://${location.host}/ipc?token=${encodeURIComponent(t)}`),
  probeHost: () =>
    fetch('/', { cache: 'no-store' }).then(
      (r) => r.ok,
      () => false,
    ),
  heartbeatChannel: 'app:info',
});

const transport: Transport = {
  invoke: (channel, args) => connection.invoke(channel, args),
  subscribe: (channel, listener) => connection.subscribe(channel, listener),
};

Object.defineProperty(window, 'stigmer', { value: buildApi(transport), writable: false });
Object.defineProperty(window, 'stigmerConnection', {
  value: Object.freeze({
    get current() {
      return connection.current;
    },
    onStatus: (fn: Parameters<BridgeConnection['onStatus']>[0]) => connection.onStatus(fn),
  }),
  writable: false,
});
