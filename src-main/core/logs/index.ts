/** Public API of log capture: splitting, levels, redaction, ring buffer, rotating files. */
export { LogPipeline, lineCost } from './log-pipeline';
export { LogCapture, createLogCapture } from './capture-client';
export type { LogCaptureOptions } from './capture-client';
export { captureModeFrom } from './capture-protocol';
export type { CaptureMode } from './capture-protocol';
export { BoundedRing } from './bounded-ring';
export type {
  BatchListener,
  BatchTimer,
  LogPipelineOptions,
  RedactionListener,
} from './log-pipeline';
export { LineSplitter, cutMarker, DEFAULT_MAX_LINE_BYTES, LINE_END_BYTES } from './line-splitter';
export type { LineEnd, LineSink, LineSplitterOptions } from './line-splitter';
export { parseLevel } from './level-parser';
export { stripAnsi, hasAnsi } from './ansi';
export { Redactor, redactionMarker, MIN_SECRET_LENGTH } from './redactor';
export type { NamedSecret, RedactionResult } from './redactor';
export { HitReporter } from './hit-reporter';
export type { HitReporterOptions, RedactionReport } from './hit-reporter';
export { RingBuffer, DEFAULT_RING_CAPACITY } from './ring-buffer';
export {
  RotatingFileSink,
  DEFAULT_MAX_FILE_BYTES,
  DEFAULT_KEEP_FILES,
  logFileName,
  logFilePath,
} from './rotating-file';
export type { RotatingFileOptions } from './rotating-file';
export { readTail } from './read-tail';
export type { ReadTailOptions } from './read-tail';
export { formatRecord, parseRecord, rebuildOutput, PREFIX_LENGTH } from './file-format';
export type { FileRecord } from './file-format';
