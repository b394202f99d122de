import type { StaleConsumer } from '../../src-shared/model/secret';
import type { ServiceStatus } from '../../src-shared/model/service';

/** What the tracker reads about a key: never its value. */
export interface KeyFacts {
  loaded: boolean;
  set: boolean;
  fingerprint: string | null;
}

interface Delivery {
  pid: number;
  /** Key name -> fingerprint of the value the process got, and what happened to it since. */
  keys: Map<string, { fingerprint: string | null; revoked: 'deleted' | 'locked' | null }>;
}

/**
 * Which running process got which key value (by fingerprint), so that after a delete, a lock
 * or a new value the window can name every process still holding the old one. A process
 * keeps its environment until it exits; only a restart (a new pid) brings it up to date.
 */
export class KeyDeliveries {
  private readonly byService = new Map<string, Delivery>();

  constructor(
    private readonly keysOf: (service: string) => string[],
    private readonly facts: (key: string) => KeyFacts,
  ) {}

  /**
   * Follows the supervisor's statuses: a new pid got the keys loaded at its spawn (the
   * environment is built just before), a process that is gone holds nothing.
   */
  observe(statuses: ServiceStatus[]): void {
    for (const s of statuses) {
      const known = this.byService.get(s.name);
      if (s.pid === null) {
        this.byService.delete(s.name);
        continue;
      }
      if (known?.pid === s.pid) continue;
      const keys: Delivery['keys'] = new Map();
      for (const key of this.keysOf(s.name)) {
        const facts = this.facts(key);
        if (facts.loaded) keys.set(key, { fingerprint: facts.fingerprint, revoked: null });
      }
      this.byService.set(s.name, { pid: s.pid, keys });
    }
  }

  /** The store deleted or locked a key: every process holding it now holds a revoked value. */
  revoked(key: string, how: 'deleted' | 'locked'): void {
    for (const delivery of this.byService.values()) {
      const held = delivery.keys.get(key);
      // A delete after a lock is still a delete: the stronger word wins.
      if (held && held.revoked !== 'deleted') held.revoked = how;
    }
  }

  /** The running processes holding a key value that is not the current one, and why. */
  stale(): StaleConsumer[] {
    const out: StaleConsumer[] = [];
    for (const [service, delivery] of this.byService) {
      for (const [key, held] of delivery.keys) {
        const now = this.facts(key);
        // The same value is in memory again (entered again, or fetched from the keychain for
        // another service): the process holds the current key after all.
        if (now.loaded && now.fingerprint === held.fingerprint) {
          held.revoked = null;
          continue;
        }
        // Only what the user did counts: an idle eviction also leaves the key unset in memory,
        // but the process holding it is what the user chose by keeping the service running.
        const replaced =
          now.set && now.fingerprint !== null && now.fingerprint !== held.fingerprint;
        const reason = held.revoked ?? (replaced ? 'replaced' : null);
        if (reason) out.push({ service, pid: delivery.pid, key, reason });
      }
    }
    return out.sort((a, b) => a.service.localeCompare(b.service) || a.key.localeCompare(b.key));
  }
}
