/** Severity of one log line, or null when the line carries no recognisable level. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | null;

/** A pipe of the child. */
export type OutputStream = 'stdout' | 'stderr';

/**
 * Where a log line came from: a pipe of the child, or `system` for the lines Stigmer Local adds
 * to a service's log where its process started, became ready, exited, restarted or gave up.
 */
export type LogStream = OutputStream | 'system';

/** Every stream, in the order the viewer lists them. */
export const LOG_STREAMS: readonly LogStream[] = ['stdout', 'stderr', 'system'];

/** All non-null levels, least to most severe (for filters and tests). */
export const LOG_LEVELS: readonly Exclude<LogLevel, null>[] = [
  'trace',
  'debug',
  'info',
  'warn',
  'error',
  'fatal',
];

/** One captured line of a service's output, already redacted; what crosses IPC to the viewer. */
export interface LogLine {
  /** Monotonic per capture run; lines read back from files get seq <= 0 so they sort first. */
  seq: number;
  service: string;
  stream: LogStream;
  /** Epoch ms, stamped when the chunk holding the line's end was received. */
  time: number;
  level: LogLevel;
  /** The line without its terminator; ANSI escapes kept (the viewer renders them). */
  text: string;
  /** True when the physical line was longer than the limit and this piece was cut off. */
  truncated: boolean;
}
