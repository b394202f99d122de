import type { IpcRenderer, IpcRendererEvent } from 'electron';
import type { Transport } from '../../src-shared/ipc/api';

/** The three ipcRenderer methods the bridge needs (injected, so tests pass a fake emitter). */
export type IpcLike = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

/**
 * The preload's transport for `buildApi`. The renderer only ever sees payloads: the IPC event
 * (which carries `sender` and `ports`) is dropped here, and each unsubscribe removes exactly
 * the wrapper it added, so two subscribers to one channel never cancel each other.
 */
export function createIpcTransport(ipc: IpcLike): Transport {
  return {
    invoke: (channel, args) => ipc.invoke(channel, args),
    subscribe(channel, listener) {
      const wrapper = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
      ipc.on(channel, wrapper);
      let active = true;
      return () => {
        if (!active) return;
        active = false;
        ipc.removeListener(channel, wrapper);
      };
    },
  };
}
