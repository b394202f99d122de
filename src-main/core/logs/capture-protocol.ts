import type { LogLevel, LogLine, OutputStream } from '../../../src-shared/model/log';
import type { RedactionReport } from './hit-reporter';
import type { LogGap } from './write-gap';

/** What the capture engine is built with (plain data: it crosses to a worker). */
export interface CaptureSettings {
  logDir: string;
  maxLineBytes?: number;
  ringCapacity?: number;
  ringMaxBytes?: number;
  maxFileBytes?: number;
  keepFiles?: number;
  batchIntervalMs?: number;
  maxBatchLines?: number;
  maxBatchBytes?: number;
  redactionWindowMs?: number;
  /** The first line gets seq `seqStart + 1`. */
  seqStart?: number;
}

/** A redaction value as UTF-8 bytes; the receiver wipes them (fill(0)) once it has read them. */
export interface SecretBytes {
  name: string;
  value: Uint8Array;
}

/** Main thread -> capture engine. */
export type ToCapture =
  /** `ring`: the shared chunk ring (worker mode); absent inline. */
  | { type: 'init'; settings: CaptureSettings; ring?: SharedArrayBuffer }
  /** A chunk: its bytes in the message (`data`) or at `ring` in the shared chunk ring. */
  | {
      type: 'write';
      service: string;
      stream: OutputStream;
      at: number;
      data?: Uint8Array;
      ring?: { offset: number; length: number; skip: number };
    }
  | { type: 'end'; service: string }
  | { type: 'mark'; service: string; text: string; level: LogLevel }
  | { type: 'secrets'; list: SecretBytes[] }
  | { type: 'tail'; id: number; service: string; n: number | undefined }
  | { type: 'flush'; id: number }
  | { type: 'close'; id: number };

/** Capture engine -> main thread. Nothing here carries a redaction value. */
export type FromCapture =
  /** The worker runs: main may hand chunks over from now on (and forget its replay copy). */
  | { type: 'hello' }
  | { type: 'batch'; lines: LogLine[]; skipped: number }
  | { type: 'redaction'; report: RedactionReport }
  | { type: 'file-error'; service: string; message: string; lost: { lines: number; bytes: number } }
  | { type: 'file-recovered'; service: string; gap: LogGap }
  /** Bytes of raw output consumed (written to file and ring) since the last ack, per service. */
  | { type: 'ack'; bytes: Record<string, number> }
  | { type: 'reply'; id: number; lines?: LogLine[] }
  /** The engine failed; `text` is redacted and says what broke, never with a line's content. */
  | { type: 'fault'; text: string };

/** Which engine runs capture: a worker thread (default) or the main thread (bench, fallback). */
export type CaptureMode = 'worker' | 'inline';

/** Reads STIGMER_LOCAL_CAPTURE: `inline` runs capture on the main thread; anything else a worker. */
export function captureModeFrom(env: NodeJS.ProcessEnv): CaptureMode {
  return env.STIGMER_LOCAL_CAPTURE === 'inline' ? 'inline' : 'worker';
}
