import { useEffect } from 'react';
import type { StackSnapshot } from '../../../src-shared/model/service';
import type { ConnectionState } from '../../api/connection';
import { useConnection } from '../../api/connection';
import { useServices } from '../../stores/services';
import { STACK_LABEL } from '../services/format';

/** The app's name: the window title with nothing known yet. */
export const APP_TITLE = 'Stigmer Local';

/**
 * The window title with the stack state, in the Services header's words: "Stigmer Local —
 * Running · 2 of 2 ready". It never claims more than the window knows: while the app does not
 * answer it says so instead of the last state it saw.
 */
export function windowTitle(snapshot: StackSnapshot | null, connection: ConnectionState): string {
  if (connection === 'lost' || connection === 'refused') return `${APP_TITLE} — Not responding`;
  if (connection !== 'connected' || !snapshot) return APP_TITLE;
  const installed = snapshot.services.filter((s) => s.state !== 'not-installed');
  if (installed.length === 0) return `${APP_TITLE} — Nothing installed`;
  const ready = installed.filter((s) => s.state === 'ready').length;
  return `${APP_TITLE} — ${STACK_LABEL[snapshot.state]} · ${ready} of ${installed.length} ready`;
}

/** Keeps document.title (the Electron window's title, the browser tab's) on the stack state. */
export function useWindowTitle(): void {
  const snapshot = useServices((s) => s.snapshot);
  const connection = useConnection((s) => s.state);
  const title = windowTitle(snapshot, connection);
  useEffect(() => {
    document.title = title;
  }, [title]);
}
