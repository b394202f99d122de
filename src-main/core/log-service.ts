import type { LogLine } from '../../src-shared/model/log';
import { readTail } from './logs';

/**
 * Most text one tail carries (lines are up to 16 KiB, so 10,000 of them could be 160 MiB):
 * the newest lines that fit are kept, so a reply stays a few MiB however long the lines are.
 */
export const LOG_TAIL_MAX_BYTES = 8 * 1024 * 1024;

/** The newest lines of `lines` whose UTF-8 text (plus ~100 bytes of fields each) fits `maxBytes`. */
export function capTailBytes(lines: LogLine[], maxBytes = LOG_TAIL_MAX_BYTES): LogLine[] {
  let bytes = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    // ~100 bytes of JSON fields per line too, so the reply, not only the text, is bounded.
    bytes += Buffer.byteLength(lines[i]!.text) + 100;
    if (bytes > maxBytes) return lines.slice(i + 1);
  }
  return lines;
}

/** Where the lines of this run come from: the capture engine's ring (in a worker, or here). */
export interface TailSource {
  tail(service: string, n?: number): Promise<LogLine[]> | LogLine[];
  /** The ring holds lines from here on (later than the run's start after a worker restart). */
  readonly ringSince?: number;
}

/**
 * Answers `logs:tail`: lines from before the ring's start come from the rotating files, lines
 * since then from the in-memory ring (asked of the capture worker), so nothing is shown twice.
 */
export async function logTail(
  pipeline: TailSource,
  logDir: string,
  runStartedAt: number,
  services: string[],
  limit: number,
): Promise<LogLine[]> {
  const per = await Promise.all(
    services.map(async (service) => {
      const live = await pipeline.tail(service, limit);
      if (live.length >= limit) return live;
      const since = Math.max(runStartedAt, pipeline.ringSince ?? 0);
      const earlier = (await readTail(logDir, service, limit).catch(() => [])).filter(
        (line) => line.time < since,
      );
      return [...earlier.slice(-(limit - live.length)), ...live];
    }),
  );
  if (per.length === 1) return capTailBytes(per[0]!);
  // Merged view: by time, then by capture order; files' lines (seq <= 0) sort first on ties.
  return capTailBytes(
    per
      .flat()
      .sort((a, b) => a.time - b.time || a.seq - b.seq)
      .slice(-limit),
  );
}
