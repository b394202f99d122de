import { StringDecoder } from 'node:string_decoder';

/** Which pipe of the child a line came from. */
export type OutputStream = 'stdout' | 'stderr';

/** Called once per complete line (no trailing newline, CR stripped). */
export type LineListener = (stream: OutputStream, line: string) => void;

/** A partial line longer than this is cut, so a child that never prints "\n" cannot grow memory. */
const MAX_PARTIAL = 64 * 1024;

/**
 * Splits raw stdout/stderr chunks into lines and keeps the newest few (for status and crash
 * reasons). Each stream has its own decoder and partial line so that a multi-byte character
 * or a line split across chunks is put back together correctly.
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

  /**
   * @param redact applied to every line before it is kept or passed on: the kept lines reach
   * the window (status, crash reasons), so a key a child prints must not survive here.
   */
  constructor(
    private readonly keep = 20,
    private readonly redact: (line: string) => string = (line) => line,
  ) {}

  /** Feed one raw chunk from the child. */
  push(stream: OutputStream, chunk: Buffer | string): void {
    const text =
      this.partial[stream] +
      (typeof chunk === 'string' ? chunk : this.decoders[stream].write(chunk));
    const parts = text.split('\n');
    let rest = parts.pop() ?? '';
    for (const part of parts) this.emit(stream, part);
    if (rest.length > MAX_PARTIAL) {
      this.emit(stream, rest);
      rest = '';
    }
    this.partial[stream] = rest;
  }

  /** Emit whatever partial lines remain (the child has exited, no newline will come). */
  flush(): void {
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
    return [...this.lines];
  }

  /** The newest lines of the current child only, oldest first (for explaining its exit). */
  runSnapshot(): string[] {
    return [...this.runLines];
  }

  /**
   * The most telling recent line of the current child: the last non-blank one that is not a
   * stack frame ("    at foo (file.js:1:2)"), because the message sits above the frames.
   */
  lastMeaningfulLine(): string | null {
    for (let i = this.runLines.length - 1; i >= 0; i--) {
      const line = this.runLines[i]!.trim();
      if (line.length > 0 && !/^at\s/.test(line)) return line;
    }
    return null;
  }

  /** Listen for complete lines; returns an unsubscribe function. */
  onLine(listener: LineListener): () => void {
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
