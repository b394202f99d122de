import { isUtf8 } from 'node:buffer';

/** How a line emitted by the splitter ended in the child's output. */
export type LineEnd =
  /** "\n" */
  | 'lf'
  /** "\r\n", also when the "\r" and the "\n" arrived in different chunks */
  | 'crlf'
  /** a "\r" not followed by "\n" (progress bars redraw this way) */
  | 'cr'
  /** no terminator: the line hit the length limit and continues in the next emitted piece */
  | 'cut'
  /** no terminator: the stream ended (flush) in the middle of a line */
  | 'eof';

/** The bytes each LineEnd stands for, so the original output can be rebuilt exactly. */
export const LINE_END_BYTES: Readonly<Record<LineEnd, string>> = {
  lf: '\n',
  crlf: '\r\n',
  cr: '\r',
  cut: '',
  eof: '',
};

/**
 * Receives each line (decoded, terminator removed) with how it ended. `inBlock` is true when the
 * line is one of a block of complete lines decoded together, which `screen` saw first; then
 * `bytes[byteStart, byteEnd)` of the block's bytes (as given to `screen`) are exactly the line's
 * UTF-8 bytes.
 */
export type LineSink = (
  text: string,
  end: LineEnd,
  inBlock: boolean,
  byteStart: number,
  byteEnd: number,
) => void;

/** Default cut length for one line, in bytes of UTF-8. */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024;

/** The visible marker appended (by the pipeline) to a line cut at `limit` bytes. */
export function cutMarker(limit: number): string {
  return `… [line cut at ${limit} bytes]`;
}

/** Options of a LineSplitter. */
export interface LineSplitterOptions {
  /** Longest line in bytes before it is cut; the rest continues as the next piece. */
  maxLineBytes?: number;
  /**
   * Called with each block of complete lines decoded together (joined by "\n") just before its
   * lines go to the sink with `inBlock` true, so a consumer can check once per block what it
   * would otherwise check per line. Lines outside blocks (pending, cut or CR-terminated ones)
   * arrive with `inBlock` false.
   */
  screen?: (block: string, bytes: Buffer) => void;
}

const LF = 0x0a;
const NL = '\n';
const CR = 0x0d;
const EMPTY = Buffer.alloc(0);

/**
 * Incremental splitter for one (service, stream) pipe.
 *
 * Works on bytes, not strings: "\n" and "\r" never occur inside a UTF-8 multi-byte sequence, so
 * finding terminators in the raw Buffer with the native indexOf and decoding each complete line
 * once is both correct for characters split across chunks (their bytes wait in `pending` until
 * the line ends) and cheaper than a StringDecoder plus a second scan of the decoded string. It
 * also makes the byte limit exact without re-encoding.
 *
 * A long line is cut, not truncated: the excess continues as further pieces (end 'cut' on every
 * piece but the last), so the file sink can rebuild the child's output byte for byte and a
 * flood of one endless line still cannot grow memory beyond one limit.
 *
 * A "\r" at the very end of a chunk is held back until the next chunk (or flush) shows whether
 * a "\n" follows, so a CRLF split across two writes is one line break, not two.
 */
export class LineSplitter {
  private readonly limit: number;
  /** Bytes of the current unfinished line; usually 0 or 1 entries. */
  private pending: Buffer[] = [];
  private pendingLen = 0;
  /** The previous chunk ended with "\r": the pending line is complete, its ending undecided. */
  private crHeld = false;
  private readonly screen: ((block: string, bytes: Buffer) => void) | undefined;
  /** A block this short is split line by line (decoding it as a whole buys nothing). */
  private static readonly MIN_BLOCK = 256;

  constructor(
    private readonly sink: LineSink,
    options: LineSplitterOptions = {},
  ) {
    const limit = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    // Below 4 a single UTF-8 character might not fit and the cut could never make progress.
    if (!Number.isInteger(limit) || limit < 4) throw new RangeError('maxLineBytes must be >= 4');
    this.limit = limit;
    this.screen = options.screen;
  }

  /** Feed one raw chunk; complete lines go to the sink synchronously. */
  push(chunk: Buffer): void {
    const len = chunk.length;
    if (len === 0) return;
    let pos = 0;
    if (this.crHeld) {
      this.crHeld = false;
      if (chunk[0] === LF) {
        this.emitPending('crlf');
        pos = 1;
      } else {
        this.emitPending('cr');
      }
    }
    // The block path is tried once per chunk: at once when nothing is pending, else right after
    // the pending line ends (a pipe's chunks rarely end on a line boundary).
    let tryBlock = true;
    if (this.pendingLen === 0) {
      tryBlock = false;
      if (len - pos >= LineSplitter.MIN_BLOCK) pos = this.block(chunk, pos);
    }
    if (pos >= len) return;
    // Positions of the next LF / CR at or after pos; each is searched again only once passed.
    let nextLf = chunk.indexOf(LF, pos);
    let nextCr = chunk.indexOf(CR, pos);
    while (pos < len) {
      if (nextLf !== -1 && nextLf < pos) nextLf = chunk.indexOf(LF, pos);
      if (nextCr !== -1 && nextCr < pos) nextCr = chunk.indexOf(CR, pos);
      const t = nextCr === -1 || (nextLf !== -1 && nextLf < nextCr) ? nextLf : nextCr;
      if (t === -1) {
        this.keep(chunk, pos, len);
        return;
      }
      if (chunk[t] === LF) {
        this.line(chunk, pos, t, 'lf');
        pos = t + 1;
      } else if (t + 1 === len) {
        // Lone CR at the chunk end: wait for the next chunk to decide CR vs CRLF.
        this.keep(chunk, pos, t);
        this.crHeld = true;
        return;
      } else if (chunk[t + 1] === LF) {
        this.line(chunk, pos, t, 'crlf');
        pos = t + 2;
      } else {
        this.line(chunk, pos, t, 'cr');
        pos = t + 1;
      }
      if (tryBlock) {
        tryBlock = false;
        if (len - pos >= LineSplitter.MIN_BLOCK) pos = this.block(chunk, pos);
      }
    }
  }

  /** End of stream: emit the unfinished last line, if any. */
  flush(): void {
    if (this.crHeld) {
      this.crHeld = false;
      this.emitPending('cr');
    } else if (this.pendingLen > 0) {
      this.emitPending('eof');
    }
  }

  /** Bytes waiting for a terminator (for tests and memory accounting). */
  get pendingBytes(): number {
    return this.pendingLen;
  }

  /**
   * The fast path for the common chunk: from `pos` (nothing pending) up to its last LF, when that
   * span has no CR and is valid UTF-8, decode it once and split the string on "\n". Valid UTF-8
   * makes the string's pieces exactly the bytes' lines (and their byte lengths exact), so the
   * result is the same as the byte-wise path; anything else is left to it. Returns the new pos.
   */
  private block(chunk: Buffer, pos: number): number {
    const last = chunk.lastIndexOf(LF);
    if (last < pos + LineSplitter.MIN_BLOCK) return pos;
    const cr = chunk.indexOf(CR, pos);
    if (cr !== -1 && cr < last) return pos;
    const span = chunk.subarray(pos, last);
    if (!isUtf8(span)) return pos;
    const text = span.toString('utf8');
    this.screen?.(text, span);
    // All ASCII: string offsets are byte offsets; otherwise find each line's LF in the bytes.
    const ascii = text.length === span.length;
    let b = 0;
    const limit = this.limit;
    // A UTF-16 unit is at most 3 bytes of UTF-8, so only lines this long need a byte count.
    const safe = Math.floor(limit / 3);
    const sink = this.sink;
    let start = 0;
    const n = text.length;
    for (;;) {
      let nl = text.indexOf(NL, start);
      if (nl === -1) nl = n;
      const line = text.slice(start, nl);
      let be = nl;
      if (!ascii) {
        be = nl === n ? span.length : span.indexOf(LF, b);
      }
      if (nl - start <= safe || Buffer.byteLength(line) <= limit) {
        sink(line, 'lf', true, ascii ? start : b, be);
      } else this.line(Buffer.from(line, 'utf8'), 0, Buffer.byteLength(line), 'lf');
      if (nl === n) break;
      start = nl + 1;
      b = be + 1;
    }
    return last + 1;
  }

  /** A complete line: chunk[start, end) preceded by whatever is pending. */
  private line(chunk: Buffer, start: number, end: number, how: LineEnd): void {
    if (this.pendingLen === 0 && end - start <= this.limit) {
      // The hot path: one decode, no copy.
      this.sink(chunk.toString('utf8', start, end), how, false, 0, 0);
      return;
    }
    this.pending.push(chunk.subarray(start, end));
    this.pendingLen += end - start;
    this.emitPending(how);
  }

  /** Keep chunk[start, end) as part of the unfinished line, cutting pieces that reach the limit. */
  private keep(chunk: Buffer, start: number, end: number): void {
    if (end === start) return;
    // Copied: a view would pin the child's whole (often 64 KiB) chunk for a few bytes of tail.
    this.pending.push(Buffer.from(chunk.subarray(start, end)));
    this.pendingLen += end - start;
    if (this.pendingLen > this.limit) this.cutPieces();
  }

  /** Emit everything pending as one line ending `how` (after cutting what exceeds the limit). */
  private emitPending(how: LineEnd): void {
    if (this.pendingLen > this.limit) this.cutPieces();
    const buf = this.take();
    this.sink(buf.toString('utf8'), how, false, 0, 0);
  }

  /** Emit limit-sized pieces from pending until the rest fits; the rest stays pending. */
  private cutPieces(): void {
    let buf = this.take();
    while (buf.length > this.limit) {
      let cut = this.limit;
      // Never split a UTF-8 character: back up over continuation bytes (10xxxxxx).
      while (cut > 0 && (buf[cut]! & 0xc0) === 0x80) cut--;
      if (cut === 0) cut = this.limit; // not UTF-8 anyway; keep the byte limit
      this.sink(buf.toString('utf8', 0, cut), 'cut', false, 0, 0);
      buf = buf.subarray(cut);
    }
    this.pending = buf.length > 0 ? [buf] : [];
    this.pendingLen = buf.length;
  }

  /** Pending bytes as one Buffer; pending is reset. */
  private take(): Buffer {
    const parts = this.pending;
    const buf =
      parts.length === 0
        ? EMPTY
        : parts.length === 1
          ? parts[0]!
          : Buffer.concat(parts, this.pendingLen);
    this.pending = [];
    this.pendingLen = 0;
    return buf;
  }
}
