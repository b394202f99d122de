import type { WebSocket } from 'ws';
import type { IpcResult } from '../../src-shared/model/errors';
import { isChannelShaped, type Router } from '../ipc/router';
import type { RefusalLog } from './refusal-log';
import { SendQueue } from './send-queue';
import { parseRequestFrame, type RequestFrame } from './ws-guard';

/** Per-connection bounds; together they cap what one client can make the host hold. */
export interface ConnectionLimits {
  /** Largest frame ws accepts (ws closes the socket with 1009 past it). */
  maxPayloadBytes: number;
  /** Bytes waiting for one client before it is disconnected. */
  sendQueueCapBytes: number;
  /** Past this much waiting, live log batches are dropped for the client and counted as skipped. */
  logBatchSoftCapBytes: number;
  /** Frames handed to ws at once; the rest wait in the (droppable) queue. */
  writeHighWaterBytes: number;
  /** Largest single reply; a bigger answer becomes an error that says to ask for less. */
  maxReplyBytes: number;
  /** Requests of one client run at once; later ones wait, and the socket stops being read. */
  maxInFlight: number;
  /** Bytes of requests that may wait for a free slot before the client is disconnected. */
  maxWaitingBytes: number;
}

const MB = 1024 * 1024;
const CLOSE_GRACE_MS = 5000;
const mb = (bytes: number): string => `${Math.round(bytes / MB)} MB`;

/** What a connection needs from its host. */
export interface ConnectionDeps {
  router: Router;
  /** The authenticated page's Origin, passed to the router as the sender. */
  origin: string;
  /** Who this is in the refusal log (the peer's port), never anything the client sent. */
  peer: string;
  limits: ConnectionLimits;
  refusals: RefusalLog;
  onInternalError?: (channel: string, error: unknown) => void;
}

/**
 * One authenticated IPC socket: every frame gets an answer or closes the socket with a reason,
 * replies go through a bounded send queue, and at most `maxInFlight` requests run at once.
 */
export class Connection {
  readonly queue: SendQueue;
  /** Live log lines dropped for this client since its last delivered batch. */
  skippedLogLines = 0;
  private inFlight = 0;
  private waiting: { frame: RequestFrame; bytes: number }[] = [];
  private waitingBytes = 0;
  private closing = false;

  constructor(
    readonly ws: WebSocket,
    private readonly deps: ConnectionDeps,
  ) {
    const { limits, refusals, peer } = deps;
    this.queue = new SendQueue(ws, {
      capBytes: limits.sendQueueCapBytes,
      highWaterBytes: limits.writeHighWaterBytes,
      onOverCap: (queued) => {
        const reason = `send queue over ${mb(limits.sendQueueCapBytes)}: the window is not reading its replies; reload it`;
        refusals.refuse('over-cap', `${peer}: ${mb(queued)} waiting; ${reason}`);
        this.close(1008, reason);
      },
    });
    // ws reports protocol violations (oversized, invalid UTF-8, unmasked, reserved opcode or
    // bits, bad close code, fragmented control frame) here and closes the socket itself; without
    // this listener the 'error' event would be thrown and take the host down.
    ws.on('error', (error: Error & { code?: string }) => {
      refusals.refuse('bad-frame', `${peer}: ${error.code ?? 'error'}: ${error.message}`);
    });
    ws.on('close', () => {
      this.closing = true;
      this.queue.close();
      this.waiting = [];
      this.waitingBytes = 0;
    });
    ws.on('message', (data, isBinary) => {
      try {
        this.onFrame(data, isBinary);
      } catch (error) {
        // Only a bug gets here; the client is dropped rather than left half-answered.
        deps.onInternalError?.('browser-host', error);
        this.close(1011, 'the host failed on this request; reload the window');
      }
    });
  }

  /** Send an event frame (already serialised, shared by all clients). */
  sendEvent(frame: string): void {
    this.queue.send(frame);
  }

  /** Close with a code and a reason the client can show; nothing more is sent or run. */
  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.queue.close();
    this.waiting = [];
    // Read again so the client's close frame is seen, and do not wait ws's 30 s for a client
    // that never reads: what it has not taken in 5 s is dropped with the socket.
    if (this.ws.isPaused) this.ws.resume();
    setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
    try {
      this.ws.close(code, reason);
    } catch {
      this.ws.terminate();
    }
  }

  private onFrame(data: Parameters<typeof parseRequestFrame>[0], isBinary: boolean): void {
    if (this.closing) return;
    const frame = parseRequestFrame(data, isBinary);
    if (!frame.ok) {
      this.deps.refusals.refuse('bad-message', `${this.deps.peer}: ${frame.reason}`);
      this.close(frame.code, frame.reason);
      return;
    }
    if (this.inFlight < this.deps.limits.maxInFlight) {
      this.run(frame);
      return;
    }
    const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    if (this.waitingBytes + bytes > this.deps.limits.maxWaitingBytes) {
      const reason = `over ${mb(this.deps.limits.maxWaitingBytes)} of requests waiting; reload the window`;
      this.deps.refusals.refuse('over-cap', `${this.deps.peer}: ${reason}`);
      this.close(1008, reason);
      return;
    }
    this.waiting.push({ frame, bytes });
    this.waitingBytes += bytes;
    // Stop reading: the client's further requests wait in its own socket, not in the host.
    this.ws.pause();
  }

  private run(frame: RequestFrame): void {
    this.inFlight++;
    this.deps.router
      .handle(frame.channel, frame.args, { url: this.deps.origin })
      .then((result) => this.reply(frame.id, frame.channel, result))
      .catch((error: unknown) => this.deps.onInternalError?.('browser-host', error))
      .finally(() => {
        this.inFlight--;
        const next = this.waiting.shift();
        if (next) {
          this.waitingBytes -= next.bytes;
          this.run(next.frame);
        } else if (this.ws.isPaused && !this.closing) this.ws.resume();
      });
  }

  private reply(id: number, channel: unknown, result: IpcResult<unknown>): void {
    if (this.closing || this.ws.readyState !== this.ws.OPEN) return;
    let frame: string;
    try {
      frame = JSON.stringify({ id, result });
    } catch (error) {
      this.deps.onInternalError?.('browser-host', error);
      frame = JSON.stringify({
        id,
        result: {
          ok: false,
          error: { code: 'internal', message: 'The reply could not be encoded. See the app log.' },
        },
      });
    }
    if (frame.length > this.deps.limits.maxReplyBytes) {
      const name = isChannelShaped(channel) ? channel : 'this request';
      frame = JSON.stringify({
        id,
        result: {
          ok: false,
          error: {
            code: 'failed',
            message: `The answer to ${name} was ${mb(frame.length)}, over the ${mb(this.deps.limits.maxReplyBytes)} one reply may be. Ask for fewer entries (a smaller limit or a filter).`,
          },
        },
      });
    }
    this.queue.send(frame);
  }
}
