import type { LogLevel, LogLine, OutputStream } from '../../../src-shared/model/log';
import { HitReporter, type RedactionReport } from './hit-reporter';
import { hasAnsiBytes } from './ansi';
import { parseLevel, parsePlainLevel } from './level-parser';
import { cutMarker, DEFAULT_MAX_LINE_BYTES, LineSplitter, type LineEnd } from './line-splitter';
import { Redactor, type NamedSecret } from './redactor';
import { BoundedRing } from './bounded-ring';
import { DEFAULT_RING_CAPACITY } from './ring-buffer';
import { RotatingFileSink } from './rotating-file';
import type { LogGap } from './write-gap';

/** Receives live lines, oldest first, and how many were dropped from the live stream before them. */
export type BatchListener = (lines: LogLine[], skipped: number) => void | Promise<void>;
/** Told (rate-limited) that a service printed a secret, by name only. */
export type RedactionListener = (report: RedactionReport) => void;

/** A timer source; injected by tests, setTimeout by default. */
export interface BatchTimer {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** Options of a LogPipeline; every limit has a default from the issue. */
export interface LogPipelineOptions {
  logDir: string;
  /** Per-line cut limit (bytes). Default 16 KiB. */
  maxLineBytes?: number;
  /** Lines kept in memory per service. Default 10,000. */
  ringCapacity?: number;
  /** Bytes of lines kept in memory per service (by lineCost). Default 8 MiB. */
  ringMaxBytes?: number;
  /** Rotation size per file. Default 10 MiB. */
  maxFileBytes?: number;
  /** Files kept per service. Default 5. */
  keepFiles?: number;
  /** Minimum time between two live batches. Default 16 ms (~60 Hz). */
  batchIntervalMs?: number;
  /**
   * Most lines in one live batch, however late it comes; older excess is skipped. Default 2,000.
   * A batch's own budget is the live rate times the time since the previous one (at least 500).
   */
  maxBatchLines?: number;
  /** Most bytes (by lineCost) in one live batch; older excess is skipped. Default 1 MiB. */
  maxBatchBytes?: number;
  /** The first line gets seq `seqStart + 1` (a restarted capture worker continues the count). */
  seqStart?: number;
  /** At most one redaction report per service and name in this window. Default 60 s. */
  redactionWindowMs?: number;
  /** Clock for receipt stamps and the redaction window. */
  now?: () => number;
  timer?: BatchTimer;
  /**
   * A log file could not be written; those lines are still in memory and the live stream, and
   * the service's log shows a system line saying so. Told at the start of every outage (and
   * again if its reason changes), with the lines that write lost.
   */
  onFileError?: (service: string, error: Error, lost: { lines: number; bytes: number }) => void;
  /** A log file is written again after an outage; `gap` totals what the outage lost. */
  onFileRecovered?: (service: string, gap: LogGap) => void;
}

/** A service whose log file cannot be written right now. */
interface FileOutage {
  message: string;
  lines: number;
  bytes: number;
}

const plural = (n: number, one: string): string =>
  `${n.toLocaleString('en-US')} ${one}${n === 1 ? '' : 's'}`;

interface StreamState {
  splitter: LineSplitter;
  /** Level of the previous piece when it was cut, so a long line's pieces share its level. */
  carry: LogLevel | undefined;
  /** What the splitter's screen found in the current block of lines (valid for inBlock lines). */
  blockMayRedact: boolean;
  blockHasAnsi: boolean;
  /** The current block's raw bytes; inBlock lines that need no redaction are written from them. */
  blockBytes: Buffer;
}

interface ServiceLogs {
  ring: BoundedRing<LogLine>;
  sink: RotatingFileSink;
  streams: Record<OutputStream, StreamState>;
}

const EMPTY = Buffer.alloc(0);

/** Default byte cap of one service's ring: the most one `logs:tail` reply carries anyway. */
export const DEFAULT_RING_MAX_BYTES = 8 * 1024 * 1024;
/**
 * Live batches are paced by a rate, not by a fixed size: ~30,000 lines/s and 15 MiB/s reach the
 * window at most. A window shows a few thousand lines a second at best; under a flood the rest
 * is counted as skipped (the files and the ring have every line). Measured, 2,000,000-line flood
 * through the browser host: 2,000 lines / 1 MiB in every 16 ms batch made ~125,000 LogLine
 * objects a second that main received from the worker and re-serialised for its clients, its
 * largest RSS share. A batch that comes late (a loaded machine, a consumer still busy with the
 * previous one) may carry what its elapsed time allows, up to the ceilings below, so a steady
 * 4,000 lines/s is never skipped just because a timer fired at 150 ms instead of 16 ms.
 */
export const LIVE_LINES_PER_SECOND = 30_000;
/** See LIVE_LINES_PER_SECOND. */
export const LIVE_BYTES_PER_SECOND = 15 * 1024 * 1024;
/** The smallest budget of one live batch: what a 16 ms batch gets at the live rate. */
export const MIN_BATCH_LINES = 500;
/** See MIN_BATCH_LINES. */
export const MIN_BATCH_BYTES = 256 * 1024;
/** Ceiling of one live batch however late it comes (the live queue's own size). */
export const DEFAULT_MAX_BATCH_LINES = 2_000;
/** See DEFAULT_MAX_BATCH_LINES. */
export const DEFAULT_MAX_BATCH_BYTES = 1024 * 1024;

/**
 * What a line weighs in memory, estimated in O(1): its text (one byte per character for the
 * usual Latin-1 text V8 stores compactly) plus ~100 bytes for the object and its fields.
 */
export function lineCost(line: LogLine): number {
  return line.text.length + 100;
}

/** The newest lines of `lines` within both budgets (the newest one always). */
function newestWithin(lines: LogLine[], maxLines: number, maxBytes: number): LogLine[] {
  let bytes = 0;
  let from = lines.length;
  while (from > 0 && lines.length - from < maxLines) {
    bytes += lineCost(lines[from - 1]!);
    if (bytes > maxBytes && from < lines.length) break;
    from--;
  }
  return from === 0 ? lines : lines.slice(from);
}

const defaultTimer: BatchTimer = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * The capture pipeline for every service: raw chunks -> lines -> level -> redaction -> ring
 * buffer + rotating file + batched live stream. Everything up to the live stream is
 * synchronous and lossless; only the live stream drops lines (oldest first, counted) when its
 * consumer falls behind, so a slow window never blocks a child or loses a line on disk.
 */
export class LogPipeline {
  private readonly services = new Map<string, ServiceLogs>();
  private readonly redactor = new Redactor();
  private readonly hits: HitReporter;
  private readonly now: () => number;
  private readonly timer: BatchTimer;
  private readonly marker: string;
  private readonly batchListeners = new Set<BatchListener>();
  private readonly redactionListeners = new Set<RedactionListener>();
  private readonly live: BoundedRing<LogLine>;
  private skipped = 0;
  /** When the previous live batch went out: a batch's budget grows with the time since. */
  private lastEmitAt: number;
  private timerHandle: unknown = null;
  /** A listener is still consuming the previous batch (it returned a pending promise). */
  private busy = false;
  private seq = 0;
  /** Receipt time of the chunk being split; all its lines share it. */
  private stamp = 0;
  private closed = false;
  /** Services whose log file is failing: reported at the start, not per write, until it recovers. */
  private readonly outages = new Map<string, FileOutage>();

  constructor(private readonly options: LogPipelineOptions) {
    this.now = options.now ?? Date.now;
    this.timer = options.timer ?? defaultTimer;
    this.marker = cutMarker(options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
    this.live = new BoundedRing<LogLine>(
      options.maxBatchLines ?? DEFAULT_MAX_BATCH_LINES,
      options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES,
      lineCost,
    );
    this.lastEmitAt = this.now();
    this.seq = options.seqStart ?? 0;
    this.hits = new HitReporter({ windowMs: options.redactionWindowMs, now: this.now });
  }

  /**
   * Feed a raw chunk of a child's output. Never throws for a bad chunk; never waits. `at` is
   * when it was read from the pipe (a worker gets it a little later; lines keep the read time).
   */
  write(service: string, stream: OutputStream, chunk: Buffer, at?: number): void {
    if (this.closed) return;
    const svc = this.service(service);
    this.stamp = at ?? this.now();
    svc.streams[stream].splitter.push(chunk);
  }

  /** The child's pipes closed: emit both streams' unfinished last lines. */
  end(service: string): void {
    const svc = this.services.get(service);
    if (svc === undefined) return;
    this.stamp = this.now();
    for (const s of Object.values(svc.streams)) {
      s.splitter.flush();
      s.carry = undefined;
    }
  }

  /**
   * Adds a line of Stigmer Local's own to a service's log (stream `system`): where its process
   * started, exited, restarted or gave up, so the log reads as a story. Redacted like any line.
   */
  mark(service: string, text: string, level: LogLevel = 'info'): void {
    this.addSystemLine(service, text, level, true);
  }

  /**
   * A log file could not be written (disk full, permissions): say so when the outage starts (and
   * if its reason changes), in the viewer (ring and live stream; not in the file that just
   * failed) and to the host. Every outage is told, not only the first of the run.
   */
  private fileFailed(service: string, error: Error, lost: { lines: number; bytes: number }): void {
    const outage = this.outages.get(service);
    if (outage !== undefined) {
      outage.lines += lost.lines;
      outage.bytes += lost.bytes;
      if (outage.message === error.message) return;
      outage.message = error.message;
    } else this.outages.set(service, { message: error.message, ...lost });
    const kept = (this.options.ringCapacity ?? DEFAULT_RING_CAPACITY).toLocaleString('en-US');
    const text = `── could not write its log file: ${error.message}; ${plural(lost.lines, 'line')} were not written. New lines are kept in memory only (the last ${kept}) until the file can be written again; free disk space or fix the folder's permissions. ──`;
    this.addSystemLine(service, text, 'error', false);
    this.options.onFileError?.(service, error, lost);
  }

  /** The file takes writes again: say so, with what the outage lost (the file has a marker). */
  private fileRecovered(service: string, gap: LogGap): void {
    const outage = this.outages.get(service);
    this.outages.delete(service);
    const total: LogGap = outage
      ? { lines: outage.lines, bytes: outage.bytes, reason: gap.reason }
      : gap;
    const text = `── log file writable again; ${plural(total.lines, 'line')} (${plural(total.bytes, 'byte')}) were not written while it failed (${gap.reason}); the file has a marker line where they are missing. ──`;
    this.addSystemLine(service, text, 'info', false);
    this.options.onFileRecovered?.(service, total);
  }

  private addSystemLine(service: string, text: string, level: LogLevel, toFile: boolean): void {
    if (this.closed) return;
    const svc = this.service(service);
    const line: LogLine = {
      seq: ++this.seq,
      service,
      stream: 'system',
      time: this.now(),
      level,
      text: this.redactor.redact(text.replace(/[\r\n]+/g, ' ')).text,
      truncated: false,
    };
    svc.ring.push(line);
    if (toFile) svc.sink.append(line);
    this.toLive(line);
  }

  /** Queue a line for the next live batch (if anyone watches), counting what the queue drops. */
  private toLive(line: LogLine): void {
    if (this.batchListeners.size === 0) return; // nobody watching; the ring has the history
    this.skipped += this.live.push(line);
    this.schedule();
  }

  /** Redacts one line with the current secrets (for other places that keep output lines). */
  redactLine(text: string): string {
    return this.redactor.redact(text).text;
  }

  /** The values to redact (the vault's current and, during a rotation, previous values). */
  setSecrets(list: readonly NamedSecret[]): void {
    this.redactor.setSecrets(list);
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

  /** The newest `n` buffered lines of a service (all by default), oldest first. */
  tail(service: string, n?: number): LogLine[] {
    const ring = this.services.get(service)?.ring;
    if (ring === undefined) return [];
    return n === undefined ? ring.toArray() : ring.tail(n);
  }

  /** Services seen so far. */
  serviceNames(): string[] {
    return [...this.services.keys()];
  }

  /** Memory the log files' queues hold (all services): a worker acks only while it is small. */
  queuedFileBytes(): number {
    let n = 0;
    for (const s of this.services.values()) n += s.sink.heldBytes;
    return n;
  }

  /** Resolves once every line captured so far is on disk. */
  async flush(): Promise<void> {
    await Promise.all([...this.services.values()].map((s) => s.sink.flush()));
  }

  /** End every service, deliver the last batch and pending redaction counts, close the files. */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const name of this.services.keys()) this.end(name);
    this.closed = true;
    if (this.timerHandle !== null) this.timer.clear(this.timerHandle);
    this.timerHandle = null;
    this.busy = false;
    this.emitBatch();
    for (const report of this.hits.drain()) this.emitRedaction(report);
    await Promise.all([...this.services.values()].map((s) => s.sink.close()));
  }

  private service(name: string): ServiceLogs {
    let svc = this.services.get(name);
    if (svc !== undefined) return svc;
    const o = this.options;
    const sink = new RotatingFileSink(o.logDir, name, {
      maxBytes: o.maxFileBytes,
      keep: o.keepFiles,
      onError: (error, lost) => this.fileFailed(name, error, lost),
      onRecovered: (gap) => this.fileRecovered(name, gap),
    });
    const stream = (s: OutputStream): StreamState => {
      const state: StreamState = {
        carry: undefined,
        blockMayRedact: true,
        blockHasAnsi: true,
        blockBytes: EMPTY,
        splitter: new LineSplitter(
          (text, end, inBlock, byteStart, byteEnd) =>
            this.line(svc!, name, s, state, text, end, inBlock, byteStart, byteEnd),
          {
            maxLineBytes: o.maxLineBytes,
            // Checked once per block of lines instead of once per line.
            screen: (_block, bytes) => {
              state.blockBytes = bytes;
              state.blockMayRedact = this.redactor.mayRedactBytes(bytes);
              state.blockHasAnsi = hasAnsiBytes(bytes);
            },
          },
        ),
      };
      return state;
    };
    svc = {
      ring: new BoundedRing<LogLine>(
        o.ringCapacity ?? DEFAULT_RING_CAPACITY,
        o.ringMaxBytes ?? DEFAULT_RING_MAX_BYTES,
        lineCost,
      ),
      sink,
      streams: { stdout: stream('stdout'), stderr: stream('stderr') },
    };
    this.services.set(name, svc);
    return svc;
  }

  private line(
    svc: ServiceLogs,
    service: string,
    stream: OutputStream,
    state: StreamState,
    raw: string,
    end: LineEnd,
    inBlock: boolean,
    byteStart: number,
    byteEnd: number,
  ): void {
    const level =
      state.carry !== undefined
        ? state.carry
        : inBlock && !state.blockHasAnsi
          ? parsePlainLevel(raw)
          : parseLevel(raw);
    const truncated = end === 'cut';
    state.carry = truncated ? level : undefined;
    let text = raw;
    const fromBytes = inBlock && !state.blockMayRedact;
    if (!fromBytes) {
      const r = this.redactor.redact(raw);
      text = r.text;
      if (r.hits.length > 0) {
        const report = this.hits.note(service, r.hits);
        if (report !== null) this.emitRedaction(report);
      }
    }
    const line: LogLine = {
      seq: ++this.seq,
      service,
      stream,
      time: this.stamp,
      level,
      text: truncated ? text + this.marker : text,
      truncated,
    };
    svc.ring.push(line);
    // Unchanged block lines go to disk as the child's own bytes, without re-encoding the text.
    if (fromBytes) {
      svc.sink.appendBytes(this.stamp, stream, level, state.blockBytes, byteStart, byteEnd);
    } else svc.sink.append(line, end, text);
    this.toLive(line);
  }

  private schedule(): void {
    if (this.timerHandle !== null || this.busy || this.closed) return;
    this.timerHandle = this.timer.set(() => {
      this.timerHandle = null;
      this.emitBatch();
    }, this.options.batchIntervalMs ?? 16);
  }

  private emitBatch(): void {
    if (this.live.size === 0) return;
    const now = this.now();
    const elapsed = Math.max(0, now - this.lastEmitAt) / 1000;
    this.lastEmitAt = now;
    const all = this.live.toArray();
    const lines = newestWithin(
      all,
      Math.max(MIN_BATCH_LINES, Math.round(LIVE_LINES_PER_SECOND * elapsed)),
      Math.max(MIN_BATCH_BYTES, Math.round(LIVE_BYTES_PER_SECOND * elapsed)),
    );
    const skipped = this.skipped + (all.length - lines.length);
    this.live.clear();
    this.skipped = 0;
    const pending: Promise<void>[] = [];
    for (const listener of this.batchListeners) {
      try {
        const r = listener(lines, skipped);
        if (r instanceof Promise) pending.push(r);
      } catch {
        // A broken consumer must not stop capture; the file and ring still have the lines.
      }
    }
    if (pending.length === 0 || this.closed) return;
    // Backpressure: no new batch until the consumer has taken this one; meanwhile the live
    // queue keeps only the newest maxBatchLines and counts the rest as skipped.
    this.busy = true;
    void Promise.allSettled(pending).then(() => {
      this.busy = false;
      if (this.live.size > 0) this.schedule();
    });
  }

  private emitRedaction(report: RedactionReport): void {
    for (const listener of this.redactionListeners) {
      try {
        listener(report);
      } catch {
        // An audit failure is the audit module's to report; capture goes on.
      }
    }
  }
}
