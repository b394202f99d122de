import { StringDecoder } from 'node:string_decoder';

/** Which pipe of the child a line came from. */
export type OutputStream = 'stdout' | 'stderr';

/** Called once per complete line (no trailing newline, CR stripped). */
export type LineListener = (stream: OutputStream, line: string) => void;

/** A partial line longer than this is cut, so a child that never prints "\n" cannot grow memory. */
const MAX_PARTIAL = 64 * 1024;
/** Raw bytes kept, unsplit, while nobody listens for lines: the newest ones only. */
export const TAIL_BYTES = 16 * 1024;

interface Held {
  stream: OutputStream;
  bytes: Buffer;
}

/**
 * Splits raw stdout/stderr chunks into lines and keeps the newest few (for status and crash
 * reasons). Each stream has its own decoder and partial line so that a multi-byte character
 * or a line split across chunks is put back together correctly.
 *
 * It runs on the main thread for every chunk a child prints, so under a flood it must cost
 * almost nothing: while a readiness probe listens, every line is split at once (the probe must
 * see each line as it arrives); otherwise only a copy of the newest TAIL_BYTES is held, and split
 * (and redacted) only when someone reads the lines. A line cut off by that window is dropped.
 */
export class LineTail {
  private readonly lines: string[] = [];
  private readonly decoders = {
    stdout: new StringDecoder('utf8'),
    stderr: new StringDecoder('utf8'),
  };
  private readonly partial = { stdout: '', stderr: '' };
  private readonly listeners = new Set<LineListener>();
  /** Lines seen since the last `markRun()`, so a crash reason never quotes an older child. */
  private runLines: string[] = [];
  /** Newest raw chunks not split yet (at most TAIL_BYTES in all), oldest first. */
  private held: Held[] = [];
  private heldBytes = 0;
  /** The stream lost bytes off the front of `held`: its first fragment there is not a whole line. */
  private readonly cut = { stdout: false, stderr: false };

  /**
   * @param redact applied to every line before it is kept or passed on: the kept lines reach
   * the window (status, crash reasons), so a key a child prints must not survive here.
   */
  constructor(
    private readonly keep = 20,
    private readonly redact: (line: string) => string = (line) => line,
  ) {}

  /** Feed one raw chunk from the child (it is copied if kept: the caller may hand it over). */
  push(stream: OutputStream, chunk: Buffer | string): void {
    if (this.listeners.size > 0) {
      this.settle();
      this.split(stream, chunk);
      return;
    }
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const keep = Math.min(buf.length, TAIL_BYTES);
    if (keep < buf.length) this.cutFront(stream);
    this.held.push({ stream, bytes: Buffer.from(buf.subarray(buf.length - keep)) });
    this.heldBytes += keep;
    while (this.heldBytes > TAIL_BYTES) {
      const first = this.held[0]!;
      const over = this.heldBytes - TAIL_BYTES;
      if (first.bytes.length <= over) {
        this.held.shift();
        this.heldBytes -= first.bytes.length;
      } else {
        first.bytes = first.bytes.subarray(over);
        this.heldBytes -= over;
      }
      this.cutFront(first.stream);
    }
  }

  /** Bytes were dropped before what is held of `stream`: its partial line is no longer whole. */
  private cutFront(stream: OutputStream): void {
    this.cut[stream] = true;
  }

  /** Split what is held; only the newest `keep` lines are redacted and kept. */
  private settle(): void {
    if (this.held.length === 0) return;
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    const raw: [OutputStream, string][] = [];
    for (const { stream, bytes } of held) {
      let chunk: Buffer = bytes;
      if (this.cut[stream]) {
        // The line in progress lost its middle: drop it up to the next line end.
        this.partial[stream] = '';
        this.decoders[stream] = new StringDecoder('utf8');
        const lf = chunk.indexOf(0x0a);
        if (lf === -1) continue;
        chunk = chunk.subarray(lf + 1);
        this.cut[stream] = false;
      }
      this.splitRaw(stream, chunk, (line) => raw.push([stream, line]));
    }
    for (const [stream, line] of raw.slice(-this.keep)) this.emit(stream, line);
  }

  private split(stream: OutputStream, chunk: Buffer | string): void {
    this.splitRaw(stream, chunk, (line) => this.emit(stream, line));
  }

  private splitRaw(
    stream: OutputStream,
    chunk: Buffer | string,
    out: (line: string) => void,
  ): void {
    const text =
      this.partial[stream] +
      (typeof chunk === 'string' ? chunk : this.decoders[stream].write(chunk));
    const parts = text.split('\n');
    let rest = parts.pop() ?? '';
    for (const part of parts) out(part);
    if (rest.length > MAX_PARTIAL) {
      out(rest);
      rest = '';
    }
    this.partial[stream] = rest;
  }

  /** Emit whatever partial lines remain (the child has exited, no newline will come). */
  flush(): void {
    this.settle();
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.partial[stream] + this.decoders[stream].end();
      this.partial[stream] = '';
      if (rest.length > 0) this.emit(stream, rest);
    }
  }

  /** Start a new child: its crash reason must come from its own output only. */
  markRun(): void {
    this.flush();
    this.runLines = [];
  }

  /** The newest lines of all children, oldest first. */
  snapshot(): string[] {
    this.settle();
    return [...this.lines];
  }

  /** The newest lines of the current child only, oldest first (for explaining its exit). */
  runSnapshot(): string[] {
    this.settle();
    return [...this.runLines];
  }

  /**
   * The most telling recent line of the current child: the last non-blank one that is not a
   * stack frame ("    at foo (file.js:1:2)"), because the message sits above the frames.
   */
  lastMeaningfulLine(): string | null {
    this.settle();
    for (let i = this.runLines.length - 1; i >= 0; i--) {
      const line = this.runLines[i]!.trim();
      if (line.length > 0 && !/^at\s/.test(line)) return line;
    }
    return null;
  }

  /** Listen for complete lines; returns an unsubscribe function. */
  onLine(listener: LineListener): () => void {
    this.settle(); // lines held so far were printed before it listened
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(stream: OutputStream, raw: string): void {
    const line = this.redact(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
    this.lines.push(line);
    if (this.lines.length > this.keep) this.lines.splice(0, this.lines.length - this.keep);
    this.runLines.push(line);
    if (this.runLines.length > this.keep) this.runLines.splice(0, this.runLines.length - this.keep);
    for (const listener of this.listeners) listener(stream, line);
  }
}
