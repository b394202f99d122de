import { RingBuffer } from './ring-buffer';

/**
 * A RingBuffer capped in bytes as well as in items: lines are up to 16 KiB, so 10,000 of them
 * could hold 160 MiB; counting bytes keeps a service's ring (and a live batch) bounded however
 * long its lines are. The oldest items go first; the newest one is always kept.
 */
export class BoundedRing<T> {
  private readonly ring: RingBuffer<T>;
  private used = 0;

  /**
   * @param cost what one item weighs in bytes (an estimate is enough: it is a memory bound,
   * so it is computed in O(1), e.g. from a string's length, never by encoding it)
   */
  constructor(
    readonly capacity: number,
    readonly maxBytes: number,
    private readonly cost: (item: T) => number,
  ) {
    this.ring = new RingBuffer<T>(capacity);
  }

  /** Number of items held. */
  get size(): number {
    return this.ring.size;
  }

  /** Bytes held, by the cost function. */
  get bytes(): number {
    return this.used;
  }

  /** Append; returns how many of the oldest items were dropped to make room. */
  push(item: T): number {
    let dropped = 0;
    if (this.ring.size === this.capacity) {
      this.used -= this.cost(this.ring.shift() as T);
      dropped++;
    }
    this.ring.push(item);
    this.used += this.cost(item);
    while (this.used > this.maxBytes && this.ring.size > 1) {
      this.used -= this.cost(this.ring.shift() as T);
      dropped++;
    }
    return dropped;
  }

  /** All items, oldest first. */
  toArray(): T[] {
    return this.ring.toArray();
  }

  /** The newest `n` items, oldest first. */
  tail(n: number): T[] {
    return this.ring.tail(n);
  }

  /** Drop everything. */
  clear(): void {
    this.ring.clear();
    this.used = 0;
  }
}
