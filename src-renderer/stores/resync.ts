import { useEffect } from 'react';
import { useConnection } from '../api/connection';
import { useAudit } from './audit';
import { useLogs } from './logs';
import { useSecrets } from './secrets';
import { useServices } from './services';

/** Everything the window shows, read again: events sent while disconnected were missed. */
export function resyncAll(): void {
  useServices.getState().resync();
  useSecrets.getState().resync();
  useAudit.getState().resync();
  useLogs.getState().resync();
}

/** Reads everything again after each reconnect (not at the first connection). */
export function useResyncOnReconnect(): void {
  const resumed = useConnection((s) => s.resumed);
  useEffect(() => {
    if (resumed > 0) resyncAll();
  }, [resumed]);
}
