import type { AuditActor, AuditEntry, AuditInput, AuditType } from '../../src-shared/model/audit';
import type { ServiceState, ServiceStatus } from '../../src-shared/model/service';
import type { AuditJournal } from './audit';
import type { SecretEvent, SecretStore } from './secrets';

/** Journal types for the states a service enters (others are not journalled). */
const STATE_EVENT: Partial<Record<ServiceState, AuditType>> = {
  starting: 'service.starting',
  ready: 'service.ready',
  stopped: 'service.stopped',
  backoff: 'service.crashed',
  crashed: 'service.crashed',
  failed: 'service.failed',
  'needs-key': 'service.needs-key',
};

/**
 * Turns what the core does into journal entries. `record` returns when the entry is on disk;
 * `settled()` resolves when everything recorded so far is on disk, so a handler can hold its
 * answer to the window until the key event it reports is durable.
 */
export class AuditRecorder {
  private last: Promise<unknown> = Promise.resolve();
  private readonly states = new Map<
    string,
    { state: ServiceState; pid: number | null; lastPid: number | null; restarts: number }
  >();

  constructor(
    private readonly journal: AuditJournal,
    private readonly onError: (error: unknown) => void,
    /** Told of each event synchronously, as it is recorded (before it is on disk). */
    private readonly onRecord: (input: AuditInput) => void = () => {},
  ) {}

  /** Appends one entry (durable when the promise resolves); a failure is reported, not thrown. */
  record(input: AuditInput): Promise<AuditEntry | null> {
    try {
      this.onRecord(input);
    } catch (error) {
      this.onError(error);
    }
    const done = this.journal.append(input).catch((error: unknown) => {
      this.onError(error);
      return null;
    });
    this.last = done;
    return done;
  }

  /** Resolves when every entry recorded so far is on disk. */
  settled(): Promise<unknown> {
    return this.last;
  }

  /** Journals each service's state changes (with pid), and key deliveries to a new child. */
  servicesChanged(
    statuses: ServiceStatus[],
    secrets: SecretStore,
    keysOf: (name: string) => string[],
  ): void {
    for (const s of statuses) {
      const before = this.states.get(s.name);
      // The pid of the process a state is about: the live one, else the last one seen (a crash
      // is reported after the child's pid was cleared).
      const lastPid = s.pid ?? before?.lastPid ?? null;
      this.states.set(s.name, { state: s.state, pid: s.pid, lastPid, restarts: s.restarts });
      // A service first seen idle is not news (no 'stopped' for every service at launch).
      if (!before && (s.state === 'stopped' || s.state === 'not-installed')) continue;
      if (before && s.pid !== null && s.pid !== before.pid) {
        for (const key of keysOf(s.name)) {
          const info = secrets.info(key);
          if (!info.loaded) continue;
          void this.record({
            type: 'key.delivered',
            actor: 'system',
            service: s.name,
            pid: s.pid,
            key,
            fingerprint: info.fingerprint,
            outcome: 'ok',
            detail: `${key} was in the environment of ${s.name} (pid ${s.pid}).`,
          });
        }
      }
      if (before?.state === s.state) continue;
      let type = STATE_EVENT[s.state];
      if (!type) continue;
      // An automatic restart: starting again straight after a crash (the restart count goes up
      // a moment later, once the new child's environment is ready).
      const afterCrash = before?.state === 'backoff' || before?.state === 'crashed';
      if (type === 'service.starting' && before && (afterCrash || s.restarts > before.restarts))
        type = 'service.restarting';
      if (type === 'service.failed' && /crashed \d+ times/.test(s.lastError ?? ''))
        type = 'service.crash-loop';
      const bad = s.state === 'failed' || s.state === 'crashed' || s.state === 'backoff';
      void this.record({
        type,
        actor: 'system',
        service: s.name,
        pid: s.state === 'starting' ? s.pid : lastPid,
        outcome: bad ? 'failed' : 'info',
        detail: bad || s.state === 'needs-key' ? (s.lastError ?? '') : '',
      });
    }
  }

  /** Journals a secret-store event (names and fingerprints only, never values). */
  secretEvent(event: SecretEvent, actor: AuditActor): void {
    void this.record({
      type: event.type,
      actor: event.type === 'key.evicted' || event.type === 'key.released' ? 'system' : actor,
      key: event.name,
      fingerprint: event.fingerprint,
      outcome: event.type === 'key.unlock-denied' ? 'denied' : 'ok',
    });
  }
}
