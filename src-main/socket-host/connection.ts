import type { Socket } from 'node:net';
import type { IpcResult } from '../../src-shared/model/errors';
import { isChannelShaped, type Router } from '../ipc/router';
import { SendQueue, type QueueSocket } from '../browser-host/send-queue';
import { CLI_SENDER_URL, parseClientFrame, type HelloFrame } from './protocol';

/** Per-client bounds: together they cap what one client can make the host hold or do. */
export interface SocketLimits {
  /** Longest request line; a longer one (or a half line that grows past it) closes the socket. */
  maxLineBytes: number;
  /** Requests read per second; past it the socket is not read until the next second. */
  maxFramesPerSecond: number;
  /** Requests of one client running at once; later lines wait unread in the socket. */
  maxInFlight: number;
  /** Bytes waiting for one client before it is disconnected (a client that never reads). */
  sendQueueCapBytes: number;
  /** Past this much waiting, live log batches are dropped for the client and counted as skipped. */
  logBatchSoftCapBytes: number;
  /** Bytes handed to the kernel at once; the rest wait in the (droppable) queue. */
  writeHighWaterBytes: number;
  /** Largest single reply; a bigger answer becomes an error that says to ask for less. */
  maxReplyBytes: number;
}

const MB = 1024 * 1024;
const mb = (bytes: number): string =>
  bytes < MB ? `${Math.round(bytes / 1024)} KB` : `${Math.round(bytes / MB)} MB`;

/** A net.Socket seen through the WebSocket shape the browser host's send queue drives. */
function queueSocket(socket: Socket): QueueSocket {
  return {
    OPEN: 1,
    get readyState() {
      return socket.writable && !socket.destroyed ? 1 : 3;
    },
    get bufferedAmount() {
      return socket.writableLength;
    },
    send: ((data: Buffer, _opts: unknown, cb?: (error?: Error) => void) => {
      socket.write(data, (error) => cb?.(error ?? undefined));
    }) as QueueSocket['send'],
  } as QueueSocket;
}

/**
 * One CLI client on the local socket: newline-delimited JSON, every line answered or the socket
 * closed with a reason, replies through a bounded send queue, reading paused (not buffered)
 * while the client is over its rate or its running requests.
 */
export class SocketConnection {
  readonly queue: SendQueue;
  /** Live log lines dropped for this client since its last delivered batch. */
  skippedLogLines = 0;
  /** Event channels this client asked for. */
  readonly subscriptions = new Set<string>();
  private chunks: Buffer[] = [];
  private bufferedBytes = 0;
  private inFlight = 0;
  private framesThisSecond = 0;
  private secondStartedAt = 0;
  private resumeTimer: NodeJS.Timeout | null = null;
  private closing = false;

  constructor(
    readonly socket: Socket,
    private readonly deps: {
      router: Router;
      limits: SocketLimits;
      hello: HelloFrame;
      refuse: (reason: string) => void;
      onInternalError?: (channel: string, error: unknown) => void;
    },
  ) {
    this.queue = new SendQueue(queueSocket(socket), {
      capBytes: deps.limits.sendQueueCapBytes,
      highWaterBytes: deps.limits.writeHighWaterBytes,
      onOverCap: (queued) =>
        this.close(`${mb(queued)} waiting: the client is not reading its replies`),
    });
    socket.on('close', () => this.dispose());
    socket.on('data', (chunk: Buffer) => {
      try {
        this.onData(chunk);
      } catch (error) {
        deps.onInternalError?.('socket-host', error);
        this.close('the host failed on this request');
      }
    });
    this.send(deps.hello);
  }

  /** Send an event frame (already serialised, shared by all subscribed clients). */
  sendEvent(frame: string): void {
    this.queue.send(`${frame}\n`);
  }

  /** Say why, then close; nothing more is read, run or sent. */
  close(reason: string): void {
    if (this.closing) return;
    this.deps.refuse(reason);
    this.queue.close();
    this.closing = true;
    this.chunks = [];
    // Written past the queue: the queue may be what is over its cap. A client that does not
    // read this either is dropped with the socket.
    if (!this.socket.destroyed) this.socket.end(`${JSON.stringify({ error: reason })}\n`);
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  private dispose(): void {
    this.closing = true;
    this.queue.close();
    this.chunks = [];
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
  }

  private send(frame: unknown): void {
    this.queue.send(`${JSON.stringify(frame)}\n`);
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
    this.pump();
  }

  /** Run the complete lines buffered so far, as far as the rate and in-flight bounds allow. */
  private pump(): void {
    const { limits } = this.deps;
    while (!this.closing) {
      if (this.inFlight >= limits.maxInFlight || !this.takeRate()) {
        this.socket.pause();
        return;
      }
      const line = this.nextLine();
      if (line === null) break;
      this.onLine(line);
    }
    if (this.bufferedBytes > limits.maxLineBytes) {
      this.close(`a request line over ${limits.maxLineBytes} bytes`);
      return;
    }
    if (!this.closing && this.socket.isPaused()) this.socket.resume();
  }

  private takeRate(): boolean {
    const now = Date.now();
    if (now - this.secondStartedAt >= 1000) {
      this.secondStartedAt = now;
      this.framesThisSecond = 0;
    }
    if (this.framesThisSecond < this.deps.limits.maxFramesPerSecond) return true;
    this.resumeTimer ??= setTimeout(
      () => {
        this.resumeTimer = null;
        this.pump();
      },
      1000 - (now - this.secondStartedAt),
    );
    return false;
  }

  private nextLine(): string | null {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const end = all.indexOf(0x0a);
    if (end < 0) {
      this.chunks = all.length ? [all] : [];
      return null;
    }
    const rest = all.subarray(end + 1);
    this.chunks = rest.length ? [rest] : [];
    this.bufferedBytes = rest.length;
    if (end > this.deps.limits.maxLineBytes) return '\u0000too-long';
    return all.subarray(0, end).toString('utf8');
  }

  private onLine(line: string): void {
    if (line.trim() === '') return;
    if (line === '\u0000too-long') {
      this.close(`a request line over ${this.deps.limits.maxLineBytes} bytes`);
      return;
    }
    this.framesThisSecond++;
    const frame = parseClientFrame(line);
    if (frame.kind === 'refused') {
      this.close(frame.reason);
      return;
    }
    if (frame.kind === 'subscribe') {
      for (const name of frame.events) this.subscriptions.add(name);
      this.send({ id: frame.id, result: { ok: true, value: [...this.subscriptions] } });
      return;
    }
    this.inFlight++;
    this.deps.router
      .handle(frame.channel, frame.args, { url: CLI_SENDER_URL })
      .then((result) => this.reply(frame.id, frame.channel, result))
      .catch((error: unknown) => this.deps.onInternalError?.('socket-host', error))
      .finally(() => {
        this.inFlight--;
        this.pump();
      });
  }

  private reply(id: number, channel: unknown, result: IpcResult<unknown>): void {
    if (this.closing) return;
    let frame: string;
    try {
      frame = JSON.stringify({ id, result });
    } catch (error) {
      this.deps.onInternalError?.('socket-host', error);
      frame = JSON.stringify({
        id,
        result: {
          ok: false,
          error: { code: 'internal', message: 'The reply could not be encoded.' },
        },
      });
    }
    if (frame.length > this.deps.limits.maxReplyBytes) {
      const name = isChannelShaped(channel) ? channel : 'this request';
      const message = `The answer to ${name} was ${mb(frame.length)}, over the ${mb(this.deps.limits.maxReplyBytes)} one reply may be. Ask for fewer entries.`;
      frame = JSON.stringify({ id, result: { ok: false, error: { code: 'failed', message } } });
    }
    this.queue.send(`${frame}\n`);
  }
}
