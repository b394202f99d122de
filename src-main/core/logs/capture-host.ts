import type { CaptureSettings, FromCapture, ToCapture } from './capture-protocol';
import { ChunkRingReader } from './chunk-ring';
import { LogPipeline } from './log-pipeline';
import type { NamedSecret } from './redactor';

/** Options of a CaptureHost. */
export interface CaptureHostOptions {
  /** Tell main how many bytes were consumed (a worker does, for main's backpressure). */
  acks: boolean;
  /** Send an ack once this many bytes were consumed, or ~16 ms after the first unacked one. */
  ackEveryBytes?: number;
  /**
   * No ack while more than this many bytes wait in memory for the log files: the files are the
   * slow end, so their queue, not only the message queue, holds main (and the children) back.
   * Default 8 MiB (whole buffers, including the batch being written).
   */
  fileQueueBytes?: number;
}

const decoder = new TextDecoder('utf-8');

/**
 * The capture engine behind a message protocol: one LogPipeline (split, level, redact, rotating
 * file, ring) driven by ToCapture messages and answering with FromCapture ones. The worker
 * entry runs it in a worker thread; inline mode runs the very same class on the main thread,
 * so both modes write the same lines by construction.
 */
export class CaptureHost {
  private pipeline: LogPipeline | null = null;
  private ring: ChunkRingReader | null = null;
  private unacked: Record<string, number> = {};
  private unackedBytes = 0;
  private ackTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly post: (message: FromCapture) => void,
    private readonly options: CaptureHostOptions,
  ) {}

  /** Handle one message; the promise (for flush and close) settles once it is answered. */
  handle(message: ToCapture): Promise<void> | void {
    if (message.type === 'init') {
      if (message.ring) this.ring = new ChunkRingReader(message.ring);
      return this.init(message.settings);
    }
    const p = this.pipeline;
    if (p === null) throw new Error('the capture engine got a message before init');
    switch (message.type) {
      case 'write': {
        const { data, ring } = message;
        if (ring && this.ring) {
          // The pipeline copies out what it keeps, so the bytes are free once write returns.
          p.write(
            message.service,
            message.stream,
            this.ring.view(ring.offset, ring.length),
            message.at,
          );
          this.ring.release(ring.skip + ring.length);
        } else if (data) {
          const chunk = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
          p.write(message.service, message.stream, chunk, message.at);
        }
        const bytes = ring ? ring.length : (data?.byteLength ?? 0);
        if (this.options.acks) this.consumed(message.service, bytes);
        return;
      }
      case 'end':
        return p.end(message.service);
      case 'mark':
        return p.mark(message.service, message.text, message.level);
      case 'secrets': {
        const list: NamedSecret[] = message.list.map((s) => ({
          name: s.name,
          value: decoder.decode(s.value),
        }));
        // The bytes are read: wipe them. (The strings the redactor needs cannot be wiped in JS;
        // the redactor zeroes its own byte copies when the list changes.)
        for (const s of message.list) s.value.fill(0);
        return p.setSecrets(list);
      }
      case 'tail':
        return this.post({
          type: 'reply',
          id: message.id,
          lines: p.tail(message.service, message.n),
        });
      case 'flush':
        return p.flush().then(() => this.post({ type: 'reply', id: message.id }));
      case 'close':
        return p.close().then(() => {
          this.sendAck();
          this.post({ type: 'reply', id: message.id });
        });
    }
  }

  /** Memory the log files' queues hold (whole buffers): inline capture's backpressure. */
  heldFileBytes(): number {
    return this.pipeline?.queuedFileBytes() ?? 0;
  }

  /**
   * An error as it may be told to main: its kind and its message redacted with the current
   * values and key shapes, cut short; never a line's content on purpose.
   */
  describe(error: unknown): string {
    const e = error instanceof Error ? error : new Error(String(error));
    const code = (e as NodeJS.ErrnoException).code;
    const message = e.message.slice(0, 300).replace(/[\r\n]+/g, ' ');
    const redacted = this.pipeline ? this.pipeline.redactLine(message) : '[not shown]';
    return `${e.name}${code ? ` (${code})` : ''}: ${redacted}`;
  }

  private init(settings: CaptureSettings): void {
    const p = new LogPipeline({
      ...settings,
      onFileError: (service, error, lost) =>
        this.post({ type: 'file-error', service, message: error.message, lost }),
      onFileRecovered: (service, gap) => this.post({ type: 'file-recovered', service, gap }),
    });
    p.onBatch((lines, skipped) => this.post({ type: 'batch', lines, skipped }));
    p.onRedaction((report) => this.post({ type: 'redaction', report }));
    this.pipeline = p;
  }

  private consumed(service: string, bytes: number): void {
    this.unacked[service] = (this.unacked[service] ?? 0) + bytes;
    this.unackedBytes += bytes;
    if (this.unackedBytes >= (this.options.ackEveryBytes ?? 1024 * 1024)) this.sendAck();
    else this.ackTimer ??= setTimeout(() => this.sendAck(), 16);
  }

  private sendAck(): void {
    if (this.ackTimer !== null) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    if (this.unackedBytes === 0) return;
    const fileQueue = this.pipeline?.queuedFileBytes() ?? 0;
    if (fileQueue > (this.options.fileQueueBytes ?? 8 * 1024 * 1024)) {
      // Look again once the writes had a moment (they complete on this thread's event loop).
      this.ackTimer = setTimeout(() => this.sendAck(), 5);
      return;
    }
    const bytes = this.unacked;
    this.unacked = {};
    this.unackedBytes = 0;
    this.post({ type: 'ack', bytes });
  }
}
