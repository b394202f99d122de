import type { LogLine } from '../../src-shared/model/log';
import { readTail, type LogPipeline } from './logs';

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

/**
 * Answers `logs:tail`: lines from earlier runs come from the rotating files (stamped before this
 * run started), lines of this run from the in-memory ring, so nothing is shown twice.
 */
export async function logTail(
  pipeline: LogPipeline,
  logDir: string,
  runStartedAt: number,
  services: string[],
  limit: number,
): Promise<LogLine[]> {
  const per = await Promise.all(
    services.map(async (service) => {
      const live = pipeline.tail(service, limit);
      if (live.length >= limit) return live;
      const earlier = (await readTail(logDir, service, limit).catch(() => [])).filter(
        (line) => line.time < runStartedAt,
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
