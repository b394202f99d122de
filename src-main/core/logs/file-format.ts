import { LOG_STREAMS, type LogLevel, type LogStream } from '../../../src-shared/model/log';
import { LINE_END_BYTES, type LineEnd } from './line-splitter';

/*
 * One record per line in `<service>.log`:
 *
 *   2026-11-23T23:19:23.293Z stdout info  n <raw text>\n
 *   |<------- 24 -------->| |<-6->| |<5>| | |
 *   time (UTC ISO, ms)      stream  level end text, exactly as the child printed it (redacted)
 *
 * `stream` is stdout, stderr, or system: a line Stigmer Local added (process started, exited,
 * restarted…), which is not part of the child's output.
 *
 * The prefix is fixed-width (40 characters) so a reader finds the text by offset, never by
 * parsing it. `end` says which terminator the child used, so the original output of a stream is
 * the concatenation of `text + END_BYTES[end]` over its records, byte for byte apart from
 * redactions (and from invalid UTF-8, which is stored as U+FFFD):
 *   n "\n"   r "\r\n"   c "\r" (lone)   + no terminator, the line was cut and continues in the
 *   next record of the same stream   $ no terminator, the stream ended mid-line.
 * The cut marker shown in the viewer is not written; readers add it back for `+` records.
 * Level `-` means none.
 */

/** Characters before the text of a record. */
export const PREFIX_LENGTH = 40;

const END_CODE: Readonly<Record<LineEnd, string>> = {
  lf: 'n',
  crlf: 'r',
  cr: 'c',
  cut: '+',
  eof: '$',
};

const CODE_END: Readonly<Record<string, LineEnd>> = {
  n: 'lf',
  r: 'crlf',
  c: 'cr',
  '+': 'cut',
  $: 'eof',
};

const LEVEL_FIELD: Readonly<Record<string, string>> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info ',
  warn: 'warn ',
  error: 'error',
  fatal: 'fatal',
};

const FIELD_LEVEL: Readonly<Record<string, LogLevel>> = {
  trace: 'trace',
  debug: 'debug',
  'info ': 'info',
  'warn ': 'warn',
  error: 'error',
  fatal: 'fatal',
  '-    ': null,
};

/** A record read back from a log file. */
export interface FileRecord {
  time: number;
  stream: LogStream;
  level: LogLevel;
  end: LineEnd;
  /** Raw text, without any cut marker. */
  text: string;
}

let cachedMs = NaN;
let cachedIso = '';

/** ISO time for a record; consecutive lines mostly share a millisecond, so cache the last one. */
function isoTime(ms: number): string {
  if (ms !== cachedMs) {
    cachedMs = ms;
    // Outside years 0000-9999 toISOString is longer than 24; clamp to keep the prefix fixed.
    cachedIso = new Date(Math.min(Math.max(ms, -62167219200000), 253402300799999)).toISOString();
  }
  return cachedIso;
}

/** One file line (with its trailing "\n") for a captured line. */
export function formatRecord(
  time: number,
  stream: LogStream,
  level: LogLevel,
  end: LineEnd,
  text: string,
): string {
  return `${isoTime(time)} ${stream} ${level === null ? '-    ' : LEVEL_FIELD[level]} ${END_CODE[end]} ${text}\n`;
}

/** The fixed-width (PREFIX_LENGTH, ASCII only) start of a record, before its text. */
export function recordPrefix(
  time: number,
  stream: LogStream,
  level: LogLevel,
  end: LineEnd,
): string {
  return `${isoTime(time)} ${stream} ${level === null ? '-    ' : LEVEL_FIELD[level]} ${END_CODE[end]} `;
}

function isLogStream(s: string): s is LogStream {
  return (LOG_STREAMS as readonly string[]).includes(s);
}

/** Parse one file line (without its "\n"); null when it is not a record of this format. */
export function parseRecord(line: string): FileRecord | null {
  if (line.length < PREFIX_LENGTH || line[24] !== ' ' || line[39] !== ' ') return null;
  const time = Date.parse(line.slice(0, 24));
  const stream = line.slice(25, 31);
  const level = FIELD_LEVEL[line.slice(32, 37)];
  const end = CODE_END[line[38]!];
  if (Number.isNaN(time) || !isLogStream(stream)) return null;
  if (level === undefined || end === undefined) return null;
  return { time, stream, level, end, text: line.slice(PREFIX_LENGTH) };
}

/** The child's original bytes for these records of one stream (for tests and the bench). */
export function rebuildOutput(records: readonly FileRecord[]): string {
  let out = '';
  for (const r of records) out += r.text + LINE_END_BYTES[r.end];
  return out;
}
