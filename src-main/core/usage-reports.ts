import type { ServiceStatus, ServiceUsage, UsageReport } from '../../src-shared/model/service';
import type { Attention } from './attention';
import { UsageSampler, type GroupReader } from './supervisor';

/** Inputs of the periodic usage reports. */
export interface UsageReportOptions {
  /** The services now (those with a pid are sampled, by their process group). */
  statuses: () => ServiceStatus[];
  /** Receives each report (the core pushes it as `services:usage`). */
  report: (report: UsageReport) => void;
  reader: GroupReader;
  /** Sampling period in ms; 0 = never. */
  intervalMs: number;
  /** Told once per distinct failure (ps missing, /proc unreadable); sampling goes on. */
  onProblem: (message: string) => void;
  /**
   * Who is looking. Given, sampling runs only while someone looks (the figures feed nothing
   * else), and starts with a sample at once when someone starts looking. Absent, it always runs.
   */
  attention?: Pick<Attention, 'looking' | 'onChange'>;
}

/**
 * CPU and memory of the running services' process groups, reported every `intervalMs` while any
 * service runs and someone looks, and once more (empty) after the last one stopped, so the
 * window clears its figures. One sample at a time; a slow one makes the next tick skip.
 */
export function startUsageReports(options: UsageReportOptions): { stop(): void } {
  let sampler = new UsageSampler(options.reader);
  let shown = false;
  let sampling = false;
  let problem: string | null = null;
  const sample = async (): Promise<void> => {
    if (sampling) return;
    const running = options.statuses().filter((s) => s.pid !== null);
    if (running.length === 0 && !shown) return;
    sampling = true;
    const current = sampler;
    try {
      const byGroup = await current.sample(running.map((s) => s.pid!));
      // Nobody looks any more (or looks anew, with a fresh sampler): this reading is stale.
      if (current !== sampler || timer === null) return;
      const services: Record<string, ServiceUsage> = {};
      for (const s of running) {
        const usage = byGroup.get(s.pid!);
        if (usage) services[s.name] = usage;
      }
      // Keep reporting until one report has nothing in it, and then say nothing: a sample of a
      // group that died while it was read (a stop racing the tick) is not a second empty report.
      const wasShown = shown;
      shown = Object.keys(services).length > 0;
      if (shown || wasShown) options.report({ at: Date.now(), services });
      problem = null;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message !== problem) options.onProblem(message);
      problem = message;
    } finally {
      sampling = false;
    }
  };
  if (options.intervalMs <= 0) return { stop: () => undefined };
  let timer: NodeJS.Timeout | null = null;
  const resume = (): void => {
    if (timer !== null) return;
    // CPU% over the time nobody looked would be an average nobody asked for: start afresh, so
    // the first figure is memory only and CPU follows one period later.
    sampler = new UsageSampler(options.reader);
    timer = setInterval(() => void sample(), options.intervalMs);
    timer.unref();
    void sample();
  };
  const pause = (): void => {
    if (timer !== null) clearInterval(timer);
    timer = null;
    // The next look starts with a sample; a view that opens gets figures, not a stale clear.
    shown = false;
  };
  const attention = options.attention;
  if (attention === undefined) {
    resume();
    return { stop: pause };
  }
  if (attention.looking) resume();
  const unsubscribe = attention.onChange((looking) => (looking ? resume() : pause()));
  return {
    stop: () => {
      unsubscribe();
      pause();
    },
  };
}
