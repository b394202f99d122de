import type { LogLine } from '../../src-shared/model/log';

/** Most lines one view keeps; older ones fall off the front. */
export const LOG_VIEW_CAP = 100_000;

/**
 * An append-only, capped ring of lines addressed by absolute ids (0, 1, 2… since the buffer was
 * made), mutated in place. Why not an immutable array per batch: at 60 batches a second a
 * 100,000-line copy each time is ~6 M element copies/s for nothing. Instead appends are pushes,
 * the front is dropped by moving `head`, and the backing array is compacted only once `head`
 * passes a quarter of the cap (amortised O(1) per line). Callers learn about changes from the
 * store's per-view `version` counter, and address lines by absolute id so derived indexes
 * (filters, search matches) stay valid while the front falls off.
 */
export class LineBuffer {
  private items: LogLine[] = [];
  private head = 0;
  private dropped = 0;

  constructor(readonly cap = LOG_VIEW_CAP) {}

  /** Lines currently held. */
  get size(): number {
    return this.items.length - this.head;
  }

  /** Absolute id of the oldest line held. */
  get first(): number {
    return this.dropped;
  }

  /**
   * Lines that fell off the front since the buffer was made (the cap, not Clear view): what the
   * view says "left the view"; the log files on disk still hold them.
   */
  get evicted(): number {
    return this.dropped;
  }

  /** Absolute id one past the newest line. */
  get end(): number {
    return this.dropped + this.size;
  }

  /** The line with absolute id `id` (must be within first..end-1). */
  at(id: number): LogLine {
    return this.items[this.head + id - this.dropped]!;
  }

  /** Appends lines in order, dropping the oldest beyond the cap. */
  push(lines: readonly LogLine[]): void {
    for (const line of lines) this.items.push(line);
    const over = this.size - this.cap;
    if (over > 0) {
      this.head += over;
      this.dropped += over;
    }
    if (this.head > this.cap / 4) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** A copy of the held lines, oldest first. */
  toArray(): LogLine[] {
    return this.items.slice(this.head);
  }
}
