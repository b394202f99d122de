import type { SecretSource } from './types';

/** Metadata about one vault entry; never the value. */
export interface VaultInfo {
  name: string;
  set: boolean;
  source: SecretSource | null;
  fingerprint: string | null;
  updatedAt: number | null;
}

/** Options for a `Vault`. */
export interface VaultOptions {
  /** Computes the display fingerprint of a value (see `fingerprint.ts`). */
  fingerprint: (value: Buffer) => string;
  /** Forget a key this long after its last delivery; 0 or less (or Infinity) never evicts. */
  idleMs?: number;
  /** Injectable clock so eviction can be tested without waiting. */
  now?: () => number;
}

interface Entry {
  value: Buffer;
  source: SecretSource;
  fingerprint: string;
  updatedAt: number;
  lastUsedAt: number;
}

/** Ten minutes after the last delivery: long enough for restarts, short enough to limit exposure. */
export const DEFAULT_IDLE_MS = 10 * 60_000;

/**
 * Holds key values as Buffers so they can be zeroed when dropped; a JS string cannot be wiped
 * and lingers until the GC reuses its memory, so strings exist only inside `withValue`.
 */
export class Vault {
  private readonly entries = new Map<string, Entry>();
  private readonly fingerprintOf: (value: Buffer) => string;
  private readonly now: () => number;
  private idleMs: number;
  private timer: NodeJS.Timeout | null = null;

  constructor(options: VaultOptions) {
    this.fingerprintOf = options.fingerprint;
    this.now = options.now ?? Date.now;
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  }

  /** Stores a copy of `value` and zeroes the caller's buffer, so only the vault holds it. */
  set(name: string, value: Buffer, source: SecretSource): VaultInfo {
    // Buffer.alloc gives the copy its own memory (Buffer.from may share the pool slab).
    const copy = Buffer.alloc(value.length);
    value.copy(copy);
    value.fill(0);
    this.entries.get(name)?.value.fill(0);
    const at = this.now();
    const fingerprint = this.fingerprintOf(copy);
    this.entries.set(name, { value: copy, source, fingerprint, updatedAt: at, lastUsedAt: at });
    return this.info(name);
  }

  /** True when a value for `name` is held. */
  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Names of all held keys. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * Runs `fn` with the value as a string and returns its result (undefined when unset).
   * JS strings cannot be zeroed, so the string is made here and dropped right after `fn`;
   * callers must not keep it (e.g. build a child's env and hand it straight to spawn).
   */
  withValue<T>(name: string, fn: (value: string) => T): T | undefined {
    const entry = this.entries.get(name);
    if (!entry) return undefined;
    return fn(entry.value.toString('utf8'));
  }

  /** Runs `fn` with the vault's own bytes (no string copy); `fn` must not keep or change them. */
  withBytes<T>(name: string, fn: (value: Buffer) => T): T | undefined {
    const entry = this.entries.get(name);
    if (!entry) return undefined;
    return fn(entry.value);
  }

  /** Relabels where a held value came from (e.g. 'keychain' once it has been remembered). */
  setSource(name: string, source: SecretSource): void {
    const entry = this.entries.get(name);
    if (entry) entry.source = source;
  }

  /** Marks a key as just delivered, which restarts its idle countdown. */
  touch(name: string): void {
    const entry = this.entries.get(name);
    if (entry) entry.lastUsedAt = this.now();
  }

  /** Zeroes and drops one key; true when it was held. */
  delete(name: string): boolean {
    const entry = this.entries.get(name);
    if (!entry) return false;
    entry.value.fill(0);
    this.entries.delete(name);
    return true;
  }

  /** Zeroes and drops every key; returns the names that were held. */
  clear(): string[] {
    const names = this.names();
    for (const name of names) this.delete(name);
    return names;
  }

  /** Metadata for one key (set=false when not held). */
  info(name: string): VaultInfo {
    const entry = this.entries.get(name);
    if (!entry) return { name, set: false, source: null, fingerprint: null, updatedAt: null };
    const { source, fingerprint, updatedAt } = entry;
    return { name, set: true, source, fingerprint, updatedAt };
  }

  /** Changes the idle limit; 0 or less (or Infinity) turns eviction off. */
  setIdleMs(ms: number): void {
    this.idleMs = ms;
  }

  /** Current idle limit in ms. */
  getIdleMs(): number {
    return this.idleMs;
  }

  /** Drops keys not delivered (or set) within the idle limit; returns the evicted names. */
  evictIdle(now: number = this.now()): string[] {
    return this.evict(now).map((info) => info.name);
  }

  /**
   * Checks for idle keys every `intervalMs` using the injected clock. `onEvict` gets the
   * metadata as it was before the drop, so an audit entry can still name the fingerprint.
   */
  startIdleTimer(onEvict: (evicted: VaultInfo[]) => void, intervalMs = 15_000): void {
    this.stopIdleTimer();
    this.timer = setInterval(() => {
      const evicted = this.evict(this.now());
      if (evicted.length > 0) onEvict(evicted);
    }, intervalMs);
    // The tray app quits through its own path; a pending check must not keep Node alive.
    this.timer.unref();
  }

  private evict(now: number): VaultInfo[] {
    if (!(this.idleMs > 0) || !Number.isFinite(this.idleMs)) return [];
    const evicted: VaultInfo[] = [];
    for (const [name, entry] of this.entries) {
      if (now - entry.lastUsedAt >= this.idleMs) evicted.push(this.info(name));
    }
    for (const { name } of evicted) this.delete(name);
    return evicted;
  }

  /** Stops the idle timer (keys stay held). */
  stopIdleTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Stops the timer and zeroes every key. */
  dispose(): void {
    this.stopIdleTimer();
    this.clear();
  }
}
