import { RECENT_MS } from './capture-options';

/**
 * The bytes handed to the capture worker and not yet consumed there, per service: what makes
 * the children wait (backpressure) and what a dead worker may have lost.
 */
export class CaptureFlow {
  private readonly posted = new Map<string, number>();
  private readonly lastWrite = new Map<string, number>();
  private inFlight = 0;
  private pressure: { promise: Promise<void>; release: () => void } | null = null;

  constructor(
    private readonly highWaterBytes: number,
    private readonly lowWaterBytes: number,
  ) {}

  /** A chunk of `bytes` was handed over at `at`. */
  sent(service: string, bytes: number, at: number): void {
    this.posted.set(service, (this.posted.get(service) ?? 0) + bytes);
    this.lastWrite.set(service, at);
    this.inFlight += bytes;
  }

  /** The worker consumed these bytes; below the low-water mark the children go on. */
  consumed(bytes: Record<string, number>): void {
    for (const [service, n] of Object.entries(bytes)) {
      this.posted.set(service, Math.max(0, (this.posted.get(service) ?? 0) - n));
      this.inFlight = Math.max(0, this.inFlight - n);
    }
    if (this.inFlight <= this.lowWaterBytes) this.release();
  }

  /** Over the high-water mark: a promise for when the worker caught up; else null. */
  backpressure(): Promise<void> | null {
    if (this.inFlight < this.highWaterBytes) return null;
    if (this.pressure === null) {
      let release!: () => void;
      const promise = new Promise<void>((resolve) => (release = resolve));
      this.pressure = { promise, release };
    }
    return this.pressure.promise;
  }

  /**
   * The worker is gone: which services may have lost output (bytes not consumed, or printed
   * within RECENT_MS, whose lines may still have been queued for the file), and how many bytes
   * each had in flight. Everything is forgotten and the children go on.
   */
  lost(services: Iterable<string>, now: number): Map<string, number> {
    const lost = new Map<string, number>();
    for (const s of services) {
      const bytes = this.posted.get(s) ?? 0;
      if (bytes > 0 || now - (this.lastWrite.get(s) ?? 0) < RECENT_MS) lost.set(s, bytes);
    }
    this.posted.clear();
    this.inFlight = 0;
    this.release();
    return lost;
  }

  /** Let paused children go on (caught up, worker gone, or closed). */
  release(): void {
    const p = this.pressure;
    this.pressure = null;
    p?.release();
  }
}
