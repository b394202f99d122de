/** Default number of lines kept in memory per service. */
export const DEFAULT_RING_CAPACITY = 10_000;

/** Fixed-capacity FIFO that overwrites its oldest item when full; O(1) push. */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  /** Index of the oldest item. */
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number = DEFAULT_RING_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be >= 1');
    this.items = new Array<T | undefined>(capacity);
  }

  /** Number of items held. */
  get size(): number {
    return this.count;
  }

  /** Append; returns true when the oldest item was overwritten to make room. */
  push(item: T): boolean {
    if (this.count < this.capacity) {
      this.items[(this.head + this.count) % this.capacity] = item;
      this.count++;
      return false;
    }
    this.items[this.head] = item;
    this.head = (this.head + 1) % this.capacity;
    return true;
  }

  /** Remove and return the oldest item (undefined when empty). */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    return item;
  }

  /** The oldest item without removing it. */
  peekOldest(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  /** All items, oldest first. */
  toArray(): T[] {
    return this.tail(this.count);
  }

  /** The newest `n` items, oldest first. */
  tail(n: number): T[] {
    const k = Math.max(0, Math.min(Math.floor(n), this.count));
    const out = new Array<T>(k);
    const start = this.head + this.count - k;
    for (let i = 0; i < k; i++) out[i] = this.items[(start + i) % this.capacity] as T;
    return out;
  }

  /** Drop everything (references released so old lines can be collected). */
  clear(): void {
    this.items.fill(undefined);
    this.head = 0;
    this.count = 0;
  }
}
