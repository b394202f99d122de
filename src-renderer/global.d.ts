import type { StigmerApi } from '../src-shared/ipc/api';

declare global {
  interface Window {
    /** Built from the IPC contract by the preload (Electron) or the browser bridge. */
    readonly stigmer: StigmerApi;
  }
}
