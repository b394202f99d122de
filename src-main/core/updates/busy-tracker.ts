import type { ServiceStatus } from '../../../src-shared/model/service';
import type { BusyQuery } from './types';

/** The supervisor's part the tracker watches: starts in flight show as 'starting'. */
export interface StatusSource {
  statuses(): ServiceStatus[];
  onChange(listener: (statuses: ServiceStatus[]) => void): () => void;
}

/**
 * Knows when the core is in the middle of something an update must not cut short: a key
 * rotation (tracked around the work) or a service start (read from the statuses).
 */
export class BusyTracker implements BusyQuery {
  private readonly running = new Map<number, string>();
  private readonly listeners = new Set<() => void>();
  private nextId = 0;

  constructor(private readonly services: StatusSource) {
    services.onChange(() => this.changed());
  }

  /** Runs `work` and counts it as busy with `what` ("A key rotation of X") until it settles. */
  async track<T>(what: string, work: () => Promise<T>): Promise<T> {
    const id = this.nextId++;
    this.running.set(id, what);
    this.changed();
    try {
      return await work();
    } finally {
      this.running.delete(id);
      this.changed();
    }
  }

  /** {@inheritDoc BusyQuery.reason} */
  reason(): string | null {
    const first = this.running.values().next();
    if (!first.done) return `${first.value} is in progress.`;
    const starting = this.services.statuses().filter((s) => s.state === 'starting');
    if (starting.length === 0) return null;
    const names = starting.map((s) => s.displayName || s.name).join(', ');
    return `${names} ${starting.length === 1 ? 'is' : 'are'} starting.`;
  }

  /** {@inheritDoc BusyQuery.onChange} */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
