import type { IpcRenderer, IpcRendererEvent } from 'electron';
import type { Transport } from '../../src-shared/ipc/api';
import { isEventChannel, isInvokeChannel } from '../../src-shared/ipc/contract';
import type { IpcResult } from '../../src-shared/model/errors';

/** The three ipcRenderer methods the bridge needs (injected, so tests pass a fake emitter). */
export type IpcLike = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

function failure(code: 'unknown-channel' | 'internal', message: string): IpcResult<never> {
  return { ok: false, error: { code, message } };
}

/** True for `{ok: true, value}` or `{ok: false, error: {code, message}}` (strings). */
function isIpcResult(reply: unknown): reply is IpcResult<unknown> {
  if (typeof reply !== 'object' || reply === null) return false;
  const r = reply as { ok?: unknown; error?: { code?: unknown; message?: unknown } | null };
  if (r.ok === true) return true;
  return (
    r.ok === false &&
    typeof r.error === 'object' &&
    r.error !== null &&
    typeof r.error.code === 'string' &&
    typeof r.error.message === 'string'
  );
}

/**
 * The preload's transport for `buildApi`. The renderer only ever sees payloads: the IPC event
 * (which carries `sender` and `ports`) is dropped here, and each unsubscribe removes exactly
 * the wrapper it added, so two subscribers to one channel never cancel each other. Like the
 * browser host, it checks shapes at the boundary: only contract channels go out, and every
 * invoke settles to an IpcResult, never a rejection the window would have to guess about.
 */
export function createIpcTransport(ipc: IpcLike): Transport {
  return {
    async invoke(channel, args) {
      if (!isInvokeChannel(channel)) {
        return failure('unknown-channel', 'Unknown channel. Reload the window.');
      }
      let reply: unknown;
      try {
        reply = await ipc.invoke(channel, args);
      } catch (error) {
        // Electron rejects when main has no handler yet (still starting) or the handler threw.
        const why = error instanceof Error ? error.message : 'no reason given';
        return failure(
          'internal',
          `The app did not answer ${channel} (${why.slice(0, 200)}). Wait a moment and try again; restart Stigmer Local if it keeps happening.`,
        );
      }
      if (!isIpcResult(reply)) {
        return failure(
          'internal',
          `The app answered ${channel} with something that is not a result. Restart Stigmer Local.`,
        );
      }
      return reply;
    },
    subscribe(channel, listener) {
      if (!isEventChannel(channel)) throw new Error('Unknown event channel.');
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
