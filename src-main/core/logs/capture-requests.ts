import type { LogLine } from '../../../src-shared/model/log';

interface Pending {
  resolve: (lines: LogLine[] | undefined) => void;
  fallback: () => Promise<LogLine[] | undefined>;
  timer: NodeJS.Timeout | null;
}

/**
 * Requests to the capture engine (tail, flush, close) by id: each is answered by the engine,
 * or, when it does not answer in time or is gone, by its fallback (the files), so none hangs.
 */
export class CaptureRequests {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  /** Send a request (`send` gets its id); `deadlineMs` null: no deadline (inline answers). */
  ask(
    send: (id: number) => void,
    fallback: () => Promise<LogLine[] | undefined>,
    deadlineMs: number | null,
  ): Promise<LogLine[] | undefined> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer =
        deadlineMs === null ? null : setTimeout(() => this.answer(id, null), deadlineMs);
      this.pending.set(id, { resolve, fallback, timer });
      send(id);
    });
  }

  /** Settle a request with the engine's lines, or (lines null) from its fallback. */
  answer(id: number, lines: LogLine[] | undefined | null): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    if (p.timer) clearTimeout(p.timer);
    if (lines !== null) p.resolve(lines);
    else void p.fallback().then(p.resolve, () => p.resolve(undefined));
  }

  /** The engine is gone: every open request is answered by its fallback. */
  fallBackAll(): void {
    for (const id of [...this.pending.keys()]) this.answer(id, null);
  }
}
