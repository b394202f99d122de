import type { IpcResult } from '../model/errors';
import {
  EVENT_CHANNELS,
  INVOKE_CHANNELS,
  isEventChannel,
  isInvokeChannel,
  type EventChannel,
  type EventPayload,
  type InvokeArgs,
  type InvokeChannel,
  type InvokeResult,
} from './contract';

/** The object exposed to the renderer as `window.stigmer` (by the preload or the browser bridge). */
export interface StigmerApi {
  invoke<C extends InvokeChannel>(
    channel: C,
    args: InvokeArgs<C>,
  ): Promise<IpcResult<InvokeResult<C>>>;
  /** Subscribe to an event channel; returns the unsubscribe function. */
  on<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void): () => void;
  readonly channels: { invoke: readonly InvokeChannel[]; events: readonly EventChannel[] };
}

/** The two primitives a host transport must provide. */
export interface Transport {
  invoke(channel: string, args: unknown): Promise<unknown>;
  subscribe(channel: string, listener: (payload: unknown) => void): () => void;
}

/**
 * Build `window.stigmer` from the contract over a transport. Unknown channels are refused
 * here too, so a compromised page cannot reach anything the contract does not list.
 */
export function buildApi(transport: Transport): StigmerApi {
  return Object.freeze({
    invoke(channel, args) {
      if (!isInvokeChannel(channel)) {
        return Promise.resolve({
          ok: false as const,
          error: {
            code: 'unknown-channel' as const,
            message: `Unknown channel "${String(channel)}".`,
          },
        });
      }
      return transport.invoke(channel, args) as Promise<never>;
    },
    on(channel, listener) {
      if (!isEventChannel(channel)) throw new Error(`Unknown event channel "${String(channel)}".`);
      return transport.subscribe(channel, (payload) => listener(payload as never));
    },
    channels: Object.freeze({ invoke: INVOKE_CHANNELS, events: EVENT_CHANNELS }),
  } satisfies StigmerApi);
}
