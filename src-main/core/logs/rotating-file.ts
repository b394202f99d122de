import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { LogLevel, LogLine, LogStream } from '../../../src-shared/model/log';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, makeHandlePrivate } from '../private-files';
import { formatRecord, recordPrefix } from './file-format';
import type { LineEnd } from './line-splitter';
import { failedBatch, gapMarkerText, gapReason, widenGap, type LogGap } from './write-gap';

/** Default size at which `<service>.log` is rotated. */
export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;
/** Default number of files kept per service, `.log` included. */
export const DEFAULT_KEEP_FILES = 5;
/** Buffered bytes above which a write starts at once instead of at the end of the tick. */
const HIGH_WATER_BYTES = 64 * 1024;
/** Size of one queue part; records are encoded straight into these. */
const PART_BYTES = 256 * 1024;
/** Written part buffers kept for reuse while a flood lasts (4 MiB), and once the queue is empty. */
const SPARE_PARTS = 16;
const IDLE_SPARE_PARTS = 2;
const LF = 0x0a;

/** Options of a RotatingFileSink. */
export interface RotatingFileOptions {
  /** Rotate before a record would make the file larger than this (a single bigger record still fits alone). */
  maxBytes?: number;
  /** Files kept: `.log`, `.log.1` … `.log.(keep-1)`; older ones are deleted. */
  keep?: number;
  /**
   * Told about every failed write (disk full, permissions) with the records of that write that
   * are not in the file; they are counted into the marker written once writing works again.
   */
  onError?: (error: Error, lost: { lines: number; bytes: number }) => void;
  /** The first write after failures succeeded; `gap` is what the marker line it wrote says. */
  onRecovered?: (gap: LogGap) => void;
}

/** `<service>.log`, refusing names that could escape the log directory. */
export function logFileName(service: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(service) || service.includes('..')) {
    throw new Error(`"${service}" cannot be used as a log file name.`);
  }
  return `${service}.log`;
}

/** Path of the n-th file of a service: 0 is the live `.log`, n > 0 is `.log.n`. */
export function logFilePath(logDir: string, service: string, n: number): string {
  const base = path.join(logDir, logFileName(service));
  return n === 0 ? base : `${base}.${n}`;
}

/**
 * Appends one service's lines to `<logDir>/<service>.log` (format in file-format.ts), rotating
 * by size. Records are encoded in capture order straight into byte parts (a record never spans
 * two parts) and written with one write per tick (or sooner past 64 KiB) through a single file
 * handle; writes are strictly serial, and rotation happens only between two whole records after
 * the previous bytes are written, so no line is split, lost or written twice across a rotation.
 */
export class RotatingFileSink {
  /** The live file. */
  readonly path: string;
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly onError: NonNullable<RotatingFileOptions['onError']>;
  private readonly onRecovered: NonNullable<RotatingFileOptions['onRecovered']>;
  /** Records lost since the last marker, or null when the file is whole. */
  private gap: LogGap | null = null;
  /** Bytes of a record a failed write cut short at the end of the file, to cut before writing. */
  private torn = 0;
  /** Bytes of the current batch that reached the file so far. */
  private written = 0;
  /** Sealed parts not yet handed to a write, each holding whole records. */
  private parts: Buffer[] = [];
  /** The part being filled: bytes [curStart, curLen) are queued records, earlier ones are sealed. */
  private cur: Buffer | null = null;
  private curStart = 0;
  private curLen = 0;
  /** Bytes in `parts` plus `curLen`. */
  private queued = 0;
  /** Prefix cache for appendBytes: valid for one (time, stream), by level ('lf' records only). */
  private prefixTime = NaN;
  private prefixStream: LogStream | null = null;
  private prefixes = new Map<LogLevel, Buffer>();
  /**
   * appendBytes staging: `stageSrc[i]` sits at `cur[stageShift + i]` (for the bytes not yet
   * appended), beyond the queued records, so each line is moved into place with copyWithin.
   */
  private stageSrc: Buffer | null = null;
  private stageShift = 0;
  /**
   * Filled buffers replaced by a fresh `cur` (their parts may still be queued), and written ones
   * kept for reuse: under a flood a new 256 KiB buffer per part, freed only at the next GC,
   * piled up to tens of MiB; reusing a few keeps the sink's memory flat.
   */
  private retired: Buffer[] = [];
  /** The retired buffers of the batch being written. */
  private writing: Buffer[] = [];
  private readonly spare: Buffer[] = [];
  private scheduled: NodeJS.Immediate | null = null;
  private draining: Promise<void> | null = null;
  private fh: FileHandle | null = null;
  private size = 0;
  private closed = false;

  constructor(
    private readonly logDir: string,
    private readonly service: string,
    options: RotatingFileOptions = {},
  ) {
    this.path = logFilePath(logDir, service, 0);
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.keep = options.keep ?? DEFAULT_KEEP_FILES;
    if (!(this.maxBytes >= 1)) throw new RangeError('maxBytes must be >= 1');
    if (!Number.isInteger(this.keep) || this.keep < 1) throw new RangeError('keep must be >= 1');
    this.onError = options.onError ?? (() => {});
    this.onRecovered = options.onRecovered ?? (() => {});
  }

  /** Bytes queued in memory for the file, not yet handed to a write. */
  get queuedBytes(): number {
    return this.queued;
  }

  /**
   * Memory the queue holds: whole buffers, not only their queued records (a part is a view that
   * keeps its whole 256 KiB buffer), including the batch being written. What backpressure counts.
   */
  get heldBytes(): number {
    // The current buffer counts while it holds records not yet handed to a write.
    let n = this.cur !== null && this.curLen > this.curStart ? this.cur.length : 0;
    for (const b of this.retired) n += b.length;
    for (const b of this.writing) n += b.length;
    return n;
  }

  /** Queue a line; `text` is what goes to disk (the raw piece, without the viewer's cut marker). */
  append(line: LogLine, end: LineEnd = 'lf', text: string = line.text): void {
    if (this.closed) return;
    const record = formatRecord(line.time, line.stream, line.level, end, text);
    this.stageSrc = null; // this record, written at curLen, may cover staged bytes
    // A UTF-16 unit is at most 3 bytes of UTF-8; count exactly only when that bound does not fit.
    if (this.cur === null || this.curLen + record.length * 3 > this.cur.length) {
      this.reserve(Buffer.byteLength(record));
    }
    const n = this.cur!.write(record, this.curLen);
    this.curLen += n;
    this.queued += n;
    this.wrote();
  }

  /**
   * Queue an 'lf' record whose text is `src[start, end)`, bytes the child printed that are valid
   * UTF-8 and need no redaction; the same bytes `append` would write for their decoded text.
   */
  appendBytes(
    time: number,
    stream: LogStream,
    level: LogLevel,
    src: Buffer,
    start: number,
    end: number,
  ): void {
    if (this.closed) return;
    if (time !== this.prefixTime || stream !== this.prefixStream) {
      this.prefixTime = time;
      this.prefixStream = stream;
      this.prefixes.clear();
    }
    let prefix = this.prefixes.get(level);
    if (prefix === undefined) {
      prefix = Buffer.from(recordPrefix(time, stream, level, 'lf'), 'latin1');
      this.prefixes.set(level, prefix);
    }
    const p = prefix.length;
    const n = p + (end - start) + 1;
    // The record's prefix must not overwrite staged bytes still to be moved.
    if (this.stageSrc !== src || this.curLen + p > this.stageShift + start)
      this.stage(src, start, n);
    const cur = this.cur!;
    let off = this.curLen;
    cur.set(prefix, off);
    off += p;
    cur.copyWithin(off, this.stageShift + start, this.stageShift + end);
    off += end - start;
    cur[off++] = LF;
    this.curLen = off;
    this.queued += n;
    this.wrote();
  }

  /**
   * Copy `src[start..]` once to the end of `cur` (or of a fresh part when `cur` has too little
   * room), leaving a gap before it for the records' prefixes. Lines are then moved within one
   * buffer by copyWithin: a per-line Buffer#copy would make a new view object for every line,
   * which costs more than the bytes it moves. When the gap runs out (short lines, each adding a
   * 40-byte prefix) the rest is staged again.
   */
  private stage(src: Buffer, start: number, first: number): void {
    const rest = src.length - start;
    // Room for the first record plus about one prefix per 80 bytes of staged text.
    const gap = first + (rest >> 1);
    if (this.cur === null || this.cur.length - this.curLen < rest + gap) {
      this.newPart(rest + gap);
    }
    const cur = this.cur!;
    this.stageShift = cur.length - src.length;
    cur.set(src.subarray(start), this.stageShift + start);
    this.stageSrc = src;
  }

  /** Make room for `n` more bytes in `cur`, sealing it into `parts` when it is too full. */
  private reserve(n: number): void {
    if (this.cur !== null && this.curLen + n <= this.cur.length) return;
    this.newPart(n);
  }

  /** Seal `cur` and continue in a fresh part of at least `n` bytes. */
  private newPart(n: number): void {
    this.seal();
    if (this.cur !== null) this.retired.push(this.cur);
    const reuse = n <= PART_BYTES ? this.spare.pop() : undefined;
    this.cur = reuse ?? Buffer.allocUnsafe(Math.max(PART_BYTES, n));
    this.curStart = 0;
    this.curLen = 0;
  }

  /** Move the queued bytes of `cur` into `parts`; later records go after them in `cur`. */
  private seal(): void {
    if (this.cur !== null && this.curLen > this.curStart) {
      this.parts.push(this.cur.subarray(this.curStart, this.curLen));
      this.curStart = this.curLen;
    }
  }

  private wrote(): void {
    if (this.queued >= HIGH_WATER_BYTES) this.kick();
    else if (this.scheduled === null && this.draining === null) {
      this.scheduled = setImmediate(() => this.kick());
    }
  }

  /** Resolves once everything appended so far is written. */
  async flush(): Promise<void> {
    this.kick();
    while (this.draining !== null) await this.draining;
  }

  /** Flush, then release the file; later appends are ignored. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    const fh = this.fh;
    this.fh = null;
    await fh?.close();
  }

  private kick(): void {
    if (this.scheduled !== null) {
      clearImmediate(this.scheduled);
      this.scheduled = null;
    }
    if (this.draining !== null || this.queued === 0) return;
    this.draining = this.drain().finally(() => {
      this.draining = null;
    });
  }

  /**
   * Write batches until the queue is empty; anything appended meanwhile joins the next batch.
   * After failed writes the next batch starts with a marker record saying how many records are
   * missing there, so the file never has a silent gap.
   */
  private async drain(): Promise<void> {
    while (this.queued > 0) {
      this.seal();
      const marker = this.gap !== null && this.gap.lines > 0 ? this.markerRecord(this.gap) : null;
      const parts = marker === null ? this.parts : [marker, ...this.parts];
      // Buffers retired before this seal hold no record outside `parts` (or earlier batches).
      const retired = this.retired;
      this.retired = [];
      this.writing = retired;
      this.parts = [];
      this.queued = 0;
      this.written = 0;
      try {
        await this.writeParts(parts);
        const gap = this.gap;
        this.gap = null;
        if (gap !== null) this.onRecovered(gap);
      } catch (caught) {
        const error = caught instanceof Error ? caught : new Error(String(caught));
        // The handle may be in an unknown state; reopen (and re-stat) on the next write.
        const fh = this.fh;
        this.fh = null;
        await fh?.close().catch(() => {});
        const batch = failedBatch(parts, this.written, marker?.length ?? 0);
        this.torn = batch.torn;
        // A marker that made it tells of the earlier gap; a new one starts from here.
        if (batch.markerWritten) this.gap = null;
        this.gap = widenGap(this.gap, batch, gapReason(error));
        this.onError(error, { lines: batch.lines, bytes: batch.bytes });
      }
      this.writing = [];
      for (const buf of retired) {
        if (buf.length === PART_BYTES && this.spare.length < SPARE_PARTS) this.spare.push(buf);
      }
    }
    // The flood is over (for now): keep only a couple of spares.
    this.spare.length = Math.min(this.spare.length, IDLE_SPARE_PARTS);
  }

  private markerRecord(gap: LogGap): Buffer {
    return Buffer.from(formatRecord(Date.now(), 'system', 'warn', 'lf', gapMarkerText(gap)));
  }

  /**
   * Append parts of whole records: in one gathered write when they fit in the current file (the
   * common case), else part by part with rotation between records.
   */
  private async writeParts(parts: readonly Buffer[]): Promise<void> {
    if (parts.length > 1) {
      let total = 0;
      for (const part of parts) total += part.length;
      const fh = await this.handle();
      if (this.size + total <= this.maxBytes) {
        await writeAllv(fh, parts, this.count);
        this.size += total;
        return;
      }
    }
    for (const part of parts) await this.writeRecords(part);
  }

  /** Append whole records from `buf`, rotating between records when the file would overflow. */
  private async writeRecords(buf: Buffer): Promise<void> {
    let off = 0;
    while (off < buf.length) {
      const fh = await this.handle();
      const rest = buf.length - off;
      const room = this.maxBytes - this.size;
      if (rest <= room) {
        await writeAll(fh, buf, off, rest, this.count);
        this.size += rest;
        return;
      }
      // Last record end that still fits; lastIndexOf searches backwards from its offset.
      let cut = room > 0 ? buf.lastIndexOf(LF, off + room - 1) : -1;
      if (cut < off) {
        if (this.size > 0) {
          await this.rotate();
          continue;
        }
        // One record larger than maxBytes: it gets a file of its own rather than being split.
        cut = buf.indexOf(LF, off);
        if (cut === -1) cut = buf.length - 1;
      }
      await writeAll(fh, buf, off, cut + 1 - off, this.count);
      this.size += cut + 1 - off;
      off = cut + 1;
      await this.rotate();
    }
  }

  private readonly count = (n: number): void => {
    this.written += n;
  };

  private async handle(): Promise<FileHandle> {
    if (this.fh !== null) return this.fh;
    // Logs hold what the services print: owner-only, also for files a rotation creates.
    await mkdir(this.logDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    if (this.torn > 0) await this.cutTorn();
    const fh = await open(this.path, 'a', PRIVATE_FILE_MODE);
    try {
      const info = await fh.stat();
      // fchmod: exact whatever the umask, and tightens a file an older version left 0644.
      if (info.isFile()) await makeHandlePrivate(fh);
      this.size = info.size;
    } catch (error) {
      await fh.close().catch(() => {});
      throw error;
    }
    this.fh = fh;
    return fh;
  }

  /**
   * Cuts the partial record a failed write (ENOSPC mid-write) left at the end of the live file,
   * so the next record starts on a line of its own. Only when the file still ends as that write
   * left it: a partial record after a whole one.
   */
  private async cutTorn(): Promise<void> {
    const torn = this.torn;
    let fh: FileHandle;
    try {
      fh = await open(this.path, 'r+');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.torn = 0; // the file is gone (moved away): nothing of ours to cut
      return;
    }
    try {
      const { size } = await fh.stat();
      const edge = Buffer.alloc(1);
      const byteAt = async (pos: number) => {
        await fh.read(edge, 0, 1, pos);
        return edge[0];
      };
      const whole = size === torn || (size > torn && (await byteAt(size - torn - 1)) === LF);
      if (whole && size >= torn && (await byteAt(size - 1)) !== LF) await fh.truncate(size - torn);
      this.torn = 0;
    } finally {
      await fh.close();
    }
  }

  /** `.log` -> `.log.1` -> … -> `.log.(keep-1)`; the oldest is deleted first. */
  private async rotate(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    await fh?.close();
    const file = (n: number) => logFilePath(this.logDir, this.service, n);
    await rm(file(this.keep - 1), { force: true });
    for (let n = this.keep - 2; n >= 0; n--) {
      await rename(file(n), file(n + 1)).catch(ignoreMissing);
    }
    this.size = 0;
  }
}

async function writeAll(
  fh: FileHandle,
  buf: Buffer,
  off: number,
  len: number,
  count: (n: number) => void,
): Promise<void> {
  // A write to a regular file is normally complete, but the API allows short writes.
  while (len > 0) {
    const { bytesWritten } = await fh.write(buf, off, len);
    count(bytesWritten);
    off += bytesWritten;
    len -= bytesWritten;
  }
}

async function writeAllv(
  fh: FileHandle,
  parts: readonly Buffer[],
  count: (n: number) => void,
): Promise<void> {
  const rest = [...parts];
  while (rest.length > 0) {
    let { bytesWritten } = await fh.writev(rest);
    count(bytesWritten);
    // Short write: drop what went out and go on with the rest.
    while (rest.length > 0 && bytesWritten >= rest[0]!.length) bytesWritten -= rest.shift()!.length;
    if (rest.length > 0 && bytesWritten > 0) rest[0] = rest[0]!.subarray(bytesWritten);
  }
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}
