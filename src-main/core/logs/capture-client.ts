import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { LogLevel, LogLine, OutputStream } from '../../../src-shared/model/log';
import { CaptureFlow } from './capture-flow';
import { CaptureHost } from './capture-host';
import {
  RING_BYTES,
  defaultWorkerUrl,
  engineSettings,
  gapText,
  noticeText,
  ownBytes,
  ownsBuffer,
  workerPath,
  type LogCaptureOptions,
} from './capture-options';
import type { CaptureMode, FromCapture, ToCapture } from './capture-protocol';
import { CaptureRequests } from './capture-requests';
import { ChunkRingWriter } from './chunk-ring';
import type { BatchListener, RedactionListener } from './log-pipeline';
import { readTail } from './read-tail';
import { Redactor, type NamedSecret } from './redactor';
import { DEFAULT_RING_CAPACITY } from './ring-buffer';

export type { LogCaptureOptions } from './capture-options';

/**
 * Log capture for the whole app, with the interface app-core used on LogPipeline. In worker mode
 * the engine (CaptureHost: split, level, redact, rotating file, ring) runs in a worker thread and
 * this thread only forwards each raw pipe chunk (Node cannot hand a child's pipe to a worker
 * portably: the handle belongs to this thread's event loop, so the bytes are read here and
 * handed over at once: transferred when the chunk owns its memory, as pipe chunks do, else
 * copied into a shared ring). Batches, redaction reports
 * and tail answers come back as messages. A worker that dies is replaced (its services' logs say
 * what may be lost); one that cannot start, or keeps dying, leaves the engine running here.
 */
export class LogCapture {
  private worker: Worker | null = null;
  private ring: ChunkRingWriter | null = null;
  private inline: CaptureHost | null = null;
  /** The worker said hello: chunks may be transferred; until then they are copied and kept. */
  private started = false;
  private replay: ToCapture[] = [];
  private readonly redactor = new Redactor();
  private secrets: readonly NamedSecret[] = [];
  private readonly batchListeners = new Set<BatchListener>();
  private readonly redactionListeners = new Set<RedactionListener>();
  /** Bytes handed to the worker and not yet acknowledged, per service and in all. */
  private readonly flow: CaptureFlow;
  private readonly known = new Set<string>();
  private notice: string | null = null;
  private readonly noticed = new Set<string>();
  private restarts = 0;
  private readonly requests = new CaptureRequests();
  private maxSeq: number;
  private since = Date.now();
  private lastFault: string | null = null;
  private closed = false;
  /** Inline capture: children wait for the log files' queues to shrink. */
  private fileWait: Promise<void> | null = null;

  constructor(private readonly options: LogCaptureOptions) {
    this.maxSeq = options.seqStart ?? 0;
    this.flow = new CaptureFlow(
      options.highWaterBytes ?? 8 * 1024 * 1024,
      options.lowWaterBytes ?? 2 * 1024 * 1024,
    );
    const url = options.workerUrl === undefined ? defaultWorkerUrl() : options.workerUrl;
    if (options.mode === 'inline' || url === null) this.goInline(null);
    else if (!existsSync(workerPath(url))) {
      this.goInline(`its worker file ${workerPath(url)} is missing (reinstall the app)`);
    } else if (!this.startWorker(url)) {
      this.goInline('a worker thread could not be started');
    }
  }

  /** Where capture runs now. */
  get mode(): CaptureMode {
    return this.inline ? 'inline' : 'worker';
  }

  /** The capture worker while one runs (tests end it to check recovery). */
  get currentWorker(): Worker | null {
    return this.worker;
  }

  /** Lines of this capture engine's ring start here; older ones are in the files only. */
  get ringSince(): number {
    return this.since;
  }

  /** Feed a raw chunk of a child's output; never waits, never throws. The chunk may be handed over. */
  write(service: string, stream: OutputStream, chunk: Buffer): void {
    if (this.closed) return;
    this.seen(service);
    const at = Date.now();
    if (this.inline) {
      this.inline.handle({ type: 'write', service, stream, at, data: chunk });
      return;
    }
    const bytes = chunk.byteLength;
    // A pipe chunk owns its memory: handed over (transferred) it dies young in the worker,
    // whose many small allocations collect it soon (measured: 170-188 MB peak RSS under the
    // 2,000,000-line flood, against 194-200 MB when main copied every chunk into the ring and
    // kept it as garbage until its own, rarer, collections). Other chunks go through the ring.
    const slot = this.started && !ownsBuffer(chunk) ? this.ring?.put(chunk) : null;
    if (slot) {
      const ring = { offset: slot.offset, length: bytes, skip: slot.skip };
      this.worker!.postMessage({ type: 'write', service, stream, at, ring } satisfies ToCapture);
      this.flow.sent(service, bytes, at);
      return;
    }
    // Owned chunks, chunks before the worker runs (copied: kept for a replay) and chunks the
    // full ring cannot take: in the message.
    const transfer = this.started && ownsBuffer(chunk);
    const data = transfer ? chunk : new Uint8Array(chunk);
    const message: ToCapture = { type: 'write', service, stream, at, data };
    try {
      this.worker!.postMessage(message, transfer ? [chunk.buffer as ArrayBuffer] : []);
    } catch {
      // Node marks some buffers untransferable (pooled ones): send a copy instead.
      this.worker!.postMessage({ ...message, data: new Uint8Array(chunk) });
    }
    if (!this.started) this.replay.push(message);
    this.flow.sent(service, bytes, at);
  }

  /** The child's pipes closed: emit both streams' unfinished last lines. */
  end(service: string): void {
    this.send({ type: 'end', service });
  }

  /** Adds a line of Stigmer Local's own (stream `system`) to a service's log. */
  mark(service: string, text: string, level: LogLevel = 'info'): void {
    if (this.closed) return;
    this.seen(service);
    this.send({ type: 'mark', service, text, level });
  }

  /** Redacts one line with the current secrets, here (for status lines kept by the supervisor). */
  redactLine(text: string): string {
    return this.redactor.redact(text).text;
  }

  /** The values to redact; they reach the engine as bytes, which it wipes once read. */
  setSecrets(list: readonly NamedSecret[]): void {
    this.secrets = list.map((s) => ({ name: s.name, value: s.value }));
    this.redactor.setSecrets(this.secrets);
    this.sendSecrets();
  }

  /** Subscribe to live batches; returns the unsubscribe. */
  onBatch(listener: BatchListener): () => void {
    this.batchListeners.add(listener);
    return () => this.batchListeners.delete(listener);
  }

  /** Subscribe to rate-limited redaction reports; returns the unsubscribe. */
  onRedaction(listener: RedactionListener): () => void {
    this.redactionListeners.add(listener);
    return () => this.redactionListeners.delete(listener);
  }

  /**
   * The newest `n` lines of a service held by the engine's ring (lines since `ringSince`),
   * oldest first. Answered from the files when the worker does not answer in time.
   */
  tail(service: string, n?: number): Promise<LogLine[]> {
    const since = this.since;
    const fromFiles = async (): Promise<LogLine[]> =>
      (
        await readTail(
          this.options.logDir,
          service,
          n ?? DEFAULT_RING_CAPACITY,
          this.options,
        ).catch(() => [])
      ).filter((line) => line.time >= since);
    return this.ask((id) => ({ type: 'tail', id, service, n }), fromFiles).then(
      (lines) => lines ?? [],
    );
  }

  /**
   * When the worker is behind by more than the high-water mark: a promise that resolves once it
   * caught up, so the caller pauses the child's pipes (as the main thread's own slowness did
   * before: lossless, the child waits); else null.
   */
  backpressure(): Promise<void> | null {
    if (!this.inline) return this.flow.backpressure();
    // Inline, the files are the slow end: wait while their queues hold too much (the writes
    // complete on this thread's event loop, which a paused child leaves free for them).
    const inline = this.inline;
    const high = this.options.highWaterBytes ?? 8 * 1024 * 1024;
    if (this.fileWait !== null || inline.heldFileBytes() < high) return this.fileWait;
    const low = this.options.lowWaterBytes ?? 2 * 1024 * 1024;
    this.fileWait = new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (inline.heldFileBytes() > low && !this.closed) return;
        clearInterval(timer);
        this.fileWait = null;
        resolve();
      }, 5);
    });
    return this.fileWait;
  }

  /** Resolves once every line captured so far is on disk (or the worker did not answer). */
  async flush(): Promise<void> {
    await this.ask(
      (id) => ({ type: 'flush', id }),
      async () => undefined,
    );
  }

  /** Deliver the last batch and reports, close the files, end the worker. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.ask(
      (id) => ({ type: 'close', id }),
      async () => undefined,
    );
    this.closed = true;
    this.flow.release();
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  private send(message: ToCapture): void {
    if (this.closed) return;
    if (this.inline) {
      void this.inline.handle(message);
      return;
    }
    this.worker!.postMessage(message);
    if (!this.started && message.type !== 'secrets') this.replay.push(message);
  }

  private sendSecrets(): void {
    const list = this.secrets.map((s) => ({ name: s.name, value: ownBytes(s.value) }));
    if (this.inline) void this.inline.handle({ type: 'secrets', list });
    // Transferred: this thread's copy of the bytes is gone once posted.
    else
      this.worker?.postMessage(
        { type: 'secrets', list },
        list.map((s) => s.value.buffer as ArrayBuffer),
      );
  }

  private ask(
    build: (id: number) => ToCapture,
    fallback: () => Promise<LogLine[] | undefined>,
  ): Promise<LogLine[] | undefined> {
    if (this.closed) return fallback();
    // Inline answers come from this thread and cannot hang; only a worker gets a deadline.
    const deadline = this.inline ? null : (this.options.requestTimeoutMs ?? 5_000);
    return this.requests.ask((id) => this.send(build(id)), fallback, deadline);
  }

  private receive(message: FromCapture): void {
    switch (message.type) {
      case 'hello':
        this.started = true;
        this.replay = [];
        return;
      case 'batch': {
        const last = message.lines.at(-1);
        if (last && last.seq > this.maxSeq) this.maxSeq = last.seq;
        for (const listener of this.batchListeners) {
          try {
            void listener(message.lines, message.skipped);
          } catch {
            // A broken consumer must not stop capture; the file and ring still have the lines.
          }
        }
        return;
      }
      case 'redaction':
        for (const listener of this.redactionListeners) {
          try {
            listener(message.report);
          } catch {
            // An audit failure is the audit module's to report; capture goes on.
          }
        }
        return;
      case 'file-error':
        this.options.onFileError?.(message.service, new Error(message.message), message.lost);
        return;
      case 'file-recovered':
        this.options.onFileRecovered?.(message.service, message.gap);
        return;
      case 'ack':
        this.flow.consumed(message.bytes);
        return;
      case 'reply': {
        const last = message.lines?.at(-1);
        if (last && last.seq > this.maxSeq) this.maxSeq = last.seq;
        this.requests.answer(message.id, message.lines);
        return;
      }
      case 'fault':
        this.lastFault = this.redactLine(message.text);
        return;
    }
  }

  private startWorker(url: URL): boolean {
    let worker: Worker;
    try {
      worker = new Worker(workerPath(url), {
        name: 'stigmer-log-capture',
        // Small heaps: the worker's live data is the rings (MiBs). A larger young generation
        // spends less CPU on GC under a flood (1M flood lines, capture CPU: 3.9 s at 8 MB,
        // 3.5 at 16, 3.2 at 32, 2.7 at 64: at 8 most lines are still in the ring at their first
        // scavenge, so they are copied and promoted) but costs RSS: the host's peak under the
        // 2M-line flood was 163-166 MB at 8, 190 MB at 32. RSS is the target that binds here.
        // (A browser host started with --max-semi-space-size overrides this for every isolate.)
        resourceLimits: {
          maxOldGenerationSizeMb: this.options.workerHeapMb ?? 64,
          maxYoungGenerationSizeMb: 8,
        },
      });
    } catch {
      return false;
    }
    // Capture alone must not keep the process alive; the children's pipes and hosts do.
    worker.unref();
    worker.on('message', (m: FromCapture) => {
      if (worker === this.worker) this.receive(m);
    });
    worker.on('error', (error) => {
      if (worker !== this.worker) return;
      const code = (error as NodeJS.ErrnoException).code;
      this.lastFault ??= `${error.name}${code ? ` (${code})` : ''}: ${this.redactLine(error.message)}`;
    });
    worker.on('exit', (code) => this.workerGone(worker, url, code));
    this.worker = worker;
    this.started = false;
    this.ring = new ChunkRingWriter(RING_BYTES);
    const settings = engineSettings(this.options, this.maxSeq);
    worker.postMessage({ type: 'init', settings, ring: this.ring.buffer } satisfies ToCapture);
    this.sendSecrets();
    return true;
  }

  /** The worker ended without being asked: replace it (or capture here) and say what was lost. */
  private workerGone(worker: Worker, url: URL, code: number): void {
    if (worker !== this.worker) return;
    this.worker = null;
    const why = this.lastFault ?? `exit code ${code}`;
    this.lastFault = null;
    const now = Date.now();
    const lost = this.flow.lost(this.known, now);
    if (this.closed) return;
    if (!this.started) {
      // It never ran: nothing was captured there; what it was sent is replayed here.
      const replay = this.replay;
      this.replay = [];
      this.goInline(`its worker could not start (${why})`);
      for (const m of replay) void this.inline!.handle(m);
    } else {
      this.since = now;
      const again = this.restarts < (this.options.maxRestarts ?? 2) && this.startWorker(url);
      if (again) this.restarts++;
      else {
        const times = this.restarts === 0 ? 'once' : `${this.restarts + 1} times`;
        this.goInline(`its worker stopped ${times} (last: ${why})`);
      }
      this.options.onProblem?.(
        `log capture worker stopped (${why}); ${again ? 'restarted' : 'capturing on the main thread'}`,
      );
      for (const [service, bytes] of lost) this.mark(service, gapText(why, bytes), 'warn');
    }
    // Requests the dead worker will never answer: from the files.
    this.requests.fallBackAll();
  }

  private goInline(reason: string | null): void {
    this.inline = new CaptureHost((m) => this.receive(m), { acks: false });
    void this.inline.handle({ type: 'init', settings: engineSettings(this.options, this.maxSeq) });
    this.sendSecrets();
    if (reason === null) return;
    this.notice = noticeText(reason);
    this.options.onProblem?.(`log capture runs on the main thread: ${reason}`);
    for (const service of this.known) this.tellNotice(service);
  }

  private seen(service: string): void {
    if (this.known.has(service)) return;
    this.known.add(service);
    if (this.notice !== null) this.tellNotice(service);
  }

  private tellNotice(service: string): void {
    if (this.noticed.has(service) || this.notice === null) return;
    this.noticed.add(service);
    this.mark(service, this.notice, 'warn');
  }
}

/** Builds the app's log capture: a worker unless `mode` (STIGMER_LOCAL_CAPTURE) says inline. */
export function createLogCapture(options: LogCaptureOptions): LogCapture {
  return new LogCapture(options);
}
