import { create } from 'zustand';
import type { ConnectionStatus } from './bridge-connection';

export type { ConnectionState, ConnectionStatus } from './bridge-connection';

/** What the browser bridge exposes; the Electron preload has none (its IPC cannot drop). */
interface ConnectionSource {
  readonly current: ConnectionStatus;
  onStatus(fn: (s: ConnectionStatus) => void): () => void;
}

declare global {
  interface Window {
    /** Set by the browser bridge only. */
    readonly stigmerConnection?: ConnectionSource;
  }
}

const ALWAYS: ConnectionStatus = { state: 'connected', nextAttemptAt: null, resumed: 0 };

/** The window's connection to the app, as a store (always connected in Electron). */
export const useConnection = create<ConnectionStatus>(() => {
  const source = typeof window === 'undefined' ? undefined : window.stigmerConnection;
  source?.onStatus((s) => useConnection.setState(s, true));
  return source?.current ?? ALWAYS;
});

/** True while the app answers; actions are refused (with the banner's reason) otherwise. */
export const isConnected = (): boolean => useConnection.getState().state === 'connected';

/** The reason shown on every disabled action while the app does not answer. */
export const DISCONNECTED_REASON =
  'Stigmer Local is not responding; actions come back once it reconnects.';
