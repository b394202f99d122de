/**
 * A fixed byte ring in a SharedArrayBuffer that carries raw chunks from the main thread to the
 * capture worker when they cannot be transferred (a view into a larger buffer, e.g. a pooled
 * one): one memcpy on main and no allocation in the worker, instead of a fresh ArrayBuffer per
 * message. The worker copies out all it keeps (splitter, file sink), then releases the bytes.
 */
const HEADER = 8;

/** The main thread's side: copies chunks in; knows what the worker released via Atomics. */
export class ChunkRingWriter {
  /** Shared with the worker in its init message. */
  readonly buffer: SharedArrayBuffer;
  private readonly data: Uint8Array;
  private readonly released: Int32Array;
  /** Bytes ever written (skips included), modulo 2^32. */
  private written = 0;
  private readonly mask: number;

  /** @param size a power of two (the offsets wrap with a mask) */
  constructor(readonly size: number) {
    if (size < 1024 || (size & (size - 1)) !== 0) throw new RangeError('size: a power of two');
    this.buffer = new SharedArrayBuffer(HEADER + size);
    this.released = new Int32Array(this.buffer, 0, 1);
    this.data = new Uint8Array(this.buffer, HEADER, size);
    this.mask = size - 1;
  }

  /** Bytes in the ring the worker has not released yet. */
  get used(): number {
    return (this.written - Atomics.load(this.released, 0)) >>> 0;
  }

  /**
   * Copy `chunk` in; returns where (and how many bytes before it were skipped to keep it in one
   * piece), or null when it does not fit now (the caller sends it in the message instead).
   */
  put(chunk: Uint8Array): { offset: number; skip: number } | null {
    const len = chunk.length;
    if (len === 0 || len > this.size >> 2) return null;
    const pos = this.written & this.mask;
    const skip = pos + len > this.size ? this.size - pos : 0;
    if (this.used + skip + len > this.size) return null;
    const offset = (pos + skip) & this.mask;
    this.data.set(chunk, offset);
    this.written = (this.written + skip + len) >>> 0;
    return { offset, skip };
  }
}

/** The worker's side: views of the shared bytes, released once copied out. */
export class ChunkRingReader {
  private readonly released: Int32Array;

  constructor(private readonly buffer: SharedArrayBuffer) {
    this.released = new Int32Array(buffer, 0, 1);
  }

  /** The chunk's bytes (valid until released). */
  view(offset: number, length: number): Buffer {
    return Buffer.from(this.buffer, HEADER + offset, length);
  }

  /** The main thread may reuse these bytes (the chunk and the gap skipped before it). */
  release(bytes: number): void {
    Atomics.add(this.released, 0, bytes);
  }
}
