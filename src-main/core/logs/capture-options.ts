import { fileURLToPath } from 'node:url';
import type { CaptureMode, CaptureSettings } from './capture-protocol';
import type { LogGap } from './write-gap';

/** Options of a LogCapture: the engine's settings plus where and how it runs. */
export interface LogCaptureOptions extends CaptureSettings {
  /** `worker` (default) or `inline` (the same engine on the main thread). */
  mode?: CaptureMode;
  /** The built worker (capture-worker.mjs); default: next to this module; null: none. */
  workerUrl?: URL | null;
  onFileError?: (service: string, error: Error, lost: { lines: number; bytes: number }) => void;
  onFileRecovered?: (service: string, gap: LogGap) => void;
  /** Told when the worker fails, restarts or cannot start (no secret in the text). */
  onProblem?: (message: string) => void;
  /** Fresh workers started after one stopped before capture falls back to inline. Default 2. */
  maxRestarts?: number;
  /** A tail or flush the worker has not answered by then is answered from the files. Default 5 s. */
  requestTimeoutMs?: number;
  /** Bytes handed to the worker and not yet consumed past which children are paused. Default 8 MiB. */
  highWaterBytes?: number;
  /** ...and below which they resume. Default 2 MiB. */
  lowWaterBytes?: number;
  /** The worker's V8 old-space limit; past it the worker dies and is restarted. Default 64 MB. */
  workerHeapMb?: number;
}

/** The built worker's file name, beside the main bundle. */
export const WORKER_FILE = 'capture-worker.mjs';
/** The shared chunk ring: as large as the default high-water mark (a power of two). */
export const RING_BYTES = 8 * 1024 * 1024;
/** A service printed within this long before the worker died may have lost lines. */
export const RECENT_MS = 2_000;

/**
 * Where the built worker is. From inside Electron's app.asar it is the unpacked copy: a worker's
 * ES module loader and the worker's own imports are not reliably served from the archive, so
 * electron-builder unpacks the worker (it is one self-contained file).
 */
export function workerPath(url: URL): string {
  return fileURLToPath(url).replace(/app\.asar([\\/])/, 'app.asar.unpacked$1');
}

/** The default worker, beside the built main bundle; null when running from TypeScript sources. */
export function defaultWorkerUrl(): URL | null {
  if (import.meta.url.endsWith('.ts')) return null; // sources (vitest): there is no bundle here
  return new URL(`./${WORKER_FILE}`, import.meta.url);
}

/** True when the Buffer is the whole of its ArrayBuffer, so handing that over loses nothing else. */
export function ownsBuffer(chunk: Buffer): boolean {
  return chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength;
}

/** UTF-8 bytes in a buffer of their own (never Buffer's shared pool, where they would linger). */
export function ownBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(Buffer.byteLength(text, 'utf8'));
  Buffer.from(bytes.buffer).write(text, 'utf8');
  return bytes;
}

/** The engine's settings from the options: only plain data crosses to a worker. */
export function engineSettings(options: LogCaptureOptions, seqStart: number): CaptureSettings {
  const plain = Object.entries(options).filter(
    ([key, value]) => typeof value !== 'function' && key !== 'workerUrl' && key !== 'mode',
  );
  return { ...(Object.fromEntries(plain) as unknown as CaptureSettings), seqStart };
}

/** The system line of a log whose capture fell back to the main thread, saying why. */
export function noticeText(reason: string): string {
  return `── log capture runs on the main thread: ${reason}. Logs are complete, but the app may answer more slowly while a service prints a lot; restart the app to try the worker again. ──`;
}

/** The system line of a log that may have lost lines when its capture worker stopped. */
export function gapText(why: string, bytes: number): string {
  return `── log capture restarted: its worker stopped (${why}). Lines this service printed just before (up to ${bytes.toLocaleString('en-US')} bytes not yet written, plus any partial line) are missing from this log and the viewer. ──`;
}
