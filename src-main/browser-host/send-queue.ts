import type { WebSocket } from 'ws';

/** Options of one connection's send queue. */
export interface SendQueueOptions {
  /** Most bytes waiting for one client (ws.bufferedAmount + queued here); past it the client is dropped. */
  capBytes: number;
  /** Frames are handed to ws only while its own buffer is below this, so the rest stay droppable here. */
  highWaterBytes: number;
  /** Called once when a frame would take the queue over the cap; the queue is already emptied. */
  onOverCap: (queuedBytes: number) => void;
}

/** The part of a ws WebSocket the queue uses (tests can count what reaches it). */
export type QueueSocket = Pick<WebSocket, 'send' | 'bufferedAmount' | 'readyState' | 'OPEN'>;

/**
 * A bounded, ordered send queue for one WebSocket. ws buffers without limit, so a page that
 * stops reading (a frozen tab, a hostile client) would grow the host by every reply; here the
 * bytes waiting for a client are counted and capped, and anything not yet handed to ws is
 * dropped at once when the cap is crossed.
 */
export class SendQueue {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private closed = false;
  private peak = 0;

  constructor(
    private readonly ws: QueueSocket,
    private readonly options: SendQueueOptions,
  ) {}

  /** Bytes waiting for this client: in ws and the socket, plus queued here. */
  get queuedBytes(): number {
    return this.ws.bufferedAmount + this.pendingBytes;
  }

  /** The most bytes that ever waited for this client (the figure the cap bounds). */
  get peakBytes(): number {
    return this.peak;
  }

  /** True once the queue is over its cap or closed; it sends nothing more. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Queue a text frame; false when it was not queued (closed, or it took the queue over its cap). */
  send(frame: string): boolean {
    if (this.closed) return false;
    const buf = Buffer.from(frame, 'utf8');
    const total = this.queuedBytes + buf.length;
    if (total > this.options.capBytes) {
      this.close();
      this.options.onOverCap(total);
      return false;
    }
    this.pending.push(buf);
    this.pendingBytes += buf.length;
    this.peak = Math.max(this.peak, total);
    this.pump();
    return true;
  }

  /** Drop everything queued here; later sends are refused. */
  close(): void {
    this.closed = true;
    this.pending = [];
    this.pendingBytes = 0;
  }

  private pump(): void {
    while (
      !this.closed &&
      this.pending.length > 0 &&
      this.ws.readyState === this.ws.OPEN &&
      this.ws.bufferedAmount < this.options.highWaterBytes
    ) {
      const buf = this.pending.shift()!;
      this.pendingBytes -= buf.length;
      // The callback runs once the frame reached the kernel: room for the next ones. An error
      // there is the socket's, reported by its own 'error'/'close' handlers.
      this.ws.send(buf, { binary: false }, (error) => {
        if (!error) this.pump();
      });
    }
  }
}
