import type { LogLine } from '../../src-shared/model/log';
import { readTail, type LogPipeline } from './logs';

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
  if (per.length === 1) return per[0]!;
  // Merged view: by time, then by capture order; files' lines (seq <= 0) sort first on ties.
  return per
    .flat()
    .sort((a, b) => a.time - b.time || a.seq - b.seq)
    .slice(-limit);
}
