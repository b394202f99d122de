import { connect, type Socket } from 'node:net';
import type { IpcResult } from '../../src-shared/model/errors';
import { CLI_PROTOCOL_VERSION, type HelloFrame } from '../socket-host/protocol';

/** A connection to the running app's socket host. */
export interface AppClient {
  readonly hello: HelloFrame;
  /** One router request; the app's own IpcResult (never throws for a refused request). */
  call<T = unknown>(channel: string, args?: unknown): Promise<IpcResult<T>>;
  /** Ask for live events; `onEvent` then receives them. */
  subscribe(events: string[]): Promise<void>;
  onEvent(listener: (event: string, payload: unknown) => void): void;
  /** Resolves when the app closes the connection (it quit, or refused us). */
  readonly closed: Promise<string | null>;
  close(): void;
}

/** The app is not running on this data dir (nothing answers on the socket). */
export class NotRunningError extends Error {
  constructor(path: string) {
    super(
      `Stigmer Local is not running for this data folder (nothing answers on ${path}). Start it with stigmer-local up, or open the desktop app.`,
    );
    this.name = 'NotRunningError';
  }
}

const NOT_RUNNING = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTSOCK']);

/** Connect and read the hello frame; NotRunningError when nobody answers. */
export function connectApp(path: string): Promise<AppClient> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(path);
    const pending = new Map<number, (result: IpcResult<unknown>) => void>();
    const listeners: ((event: string, payload: unknown) => void)[] = [];
    let nextId = 1;
    let buffer = '';
    let hello: HelloFrame | null = null;
    let closeReason: string | null = null;
    let settleClosed: (reason: string | null) => void = () => undefined;
    const closed = new Promise<string | null>((r) => (settleClosed = r));

    const fail = (error: Error): void => {
      reject(error);
      socket.destroy();
    };
    socket.setEncoding('utf8');
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (hello === null) {
        fail(NOT_RUNNING.has(error.code ?? '') ? new NotRunningError(path) : error);
      }
    });
    socket.on('close', () => {
      const why = closeReason ?? 'Stigmer Local closed the connection (it quit or restarted).';
      for (const settle of pending.values())
        settle({ ok: false, error: { code: 'failed', message: why } });
      pending.clear();
      settleClosed(closeReason);
      if (hello === null) fail(new Error(why));
    });
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        let frame: Record<string, unknown>;
        try {
          frame = JSON.parse(line) as Record<string, unknown>;
        } catch {
          return fail(new Error('The app answered with something that is not its protocol.'));
        }
        if (hello === null) {
          if (frame.hello !== 'stigmer-local' || frame.protocol !== CLI_PROTOCOL_VERSION) {
            return fail(
              new Error(
                `The app speaks protocol ${String(frame.protocol)}, this CLI ${CLI_PROTOCOL_VERSION}. Use the stigmer-local that came with the running app.`,
              ),
            );
          }
          hello = frame as unknown as HelloFrame;
          resolve(client(hello));
        } else if (typeof frame.id === 'number') {
          const settle = pending.get(frame.id);
          pending.delete(frame.id);
          settle?.(frame.result as IpcResult<unknown>);
        } else if (typeof frame.event === 'string') {
          for (const listener of listeners) listener(frame.event, frame.payload);
        } else if (typeof frame.error === 'string') {
          closeReason = `Stigmer Local refused this client: ${frame.error}.`;
        }
      }
    });

    const send = (frame: object): number => {
      const id = nextId++;
      socket.write(`${JSON.stringify({ ...frame, id })}\n`);
      return id;
    };
    const client = (h: HelloFrame): AppClient => ({
      hello: h,
      call: <T>(channel: string, args?: unknown) =>
        new Promise<IpcResult<T>>((settle) => {
          pending.set(send({ channel, args }), settle as (r: IpcResult<unknown>) => void);
        }),
      subscribe: (events) =>
        new Promise<void>((settle) => {
          pending.set(send({ subscribe: events }), () => settle());
        }),
      onEvent: (listener) => listeners.push(listener),
      closed,
      close: () => socket.end(),
    });
  });
}
