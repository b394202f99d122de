import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** What the host writes for the bench: event-loop delay since the last write, in ms. */
export interface EldReport {
  at: number;
  count: number;
  minMs: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Opt-in for `npm run bench` only (env STIGMER_LOCAL_BENCH_ELD=<file>): measures the host's
 * event-loop delay with perf_hooks and writes it to `file` on SIGUSR2 (then starts afresh, so
 * the bench can cut idle and flood windows) and at exit. Without the variable nothing runs.
 */
export function startBenchEld(file: string | undefined): void {
  if (!file) return;
  // 1 ms resolution: the bench looks for delays of several ms; a finer timer costs idle CPU.
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
  const write = (): void => {
    const report: EldReport = {
      at: Date.now(),
      count: histogram.count,
      minMs: ms(histogram.min),
      meanMs: ms(histogram.mean),
      p50Ms: ms(histogram.percentile(50)),
      p99Ms: ms(histogram.percentile(99)),
      maxMs: ms(histogram.max),
    };
    try {
      writeFileSync(file, `${JSON.stringify(report)}\n`);
    } catch (error) {
      // Only the bench reads this; the host keeps running without it.
      process.stderr.write(`[bench] cannot write ${file}: ${String(error)}\n`);
    }
    histogram.reset();
  };
  process.on('SIGUSR2', write);
  process.on('exit', write);
}
