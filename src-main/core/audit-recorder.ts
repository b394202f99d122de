import type {
  AuditActor,
  AuditEntry,
  AuditGap,
  AuditInput,
  AuditType,
} from '../../src-shared/model/audit';
import {
  stoppedBySentence,
  type ServiceState,
  type ServiceStatus,
} from '../../src-shared/model/service';
import { gapSentence, JournalWriteError, type AuditJournal } from './audit';
import type { SecretEvent, SecretStore } from './secrets';
import { KeysHeldError } from './supervisor';

/** Journal types for the states a service enters (others are not journalled). */
const STATE_EVENT: Partial<Record<ServiceState, AuditType>> = {
  starting: 'service.starting',
  ready: 'service.ready',
  stopped: 'service.stopped',
  backoff: 'service.crashed',
  crashed: 'service.crashed',
  failed: 'service.failed',
  'needs-key': 'service.needs-key',
  held: 'service.held',
  waiting: 'service.waiting',
};

/** Whether everything recorded so far reached the disk. */
export type Durability = { ok: true } | { ok: false; reason: string };

/** Told once the journal can be written again and the gap entry is on disk. */
export type RecoveryListener = (gap: AuditGap) => void;

/**
 * Turns what the core does into journal entries. `record` returns when the entry is on disk
 * (or null when it could not be written); `settled()` resolves when everything recorded so far
 * is settled, so a handler can hold its answer to the window until the key event it reports
 * is durable.
 *
 * Fail closed: a write that fails opens an outage (count, first/last time, reason). While it is
 * open, every later record first tries to write a journal.gap entry that tells it; once that
 * succeeds the outage is closed and recovery listeners run (the app then starts the services
 * whose keys were held back). `checkpoint()` + `durable()` let the key injector prove that
 * the release entries of one spawn are on disk before the child gets the keys.
 */
export class AuditRecorder {
  private last: Promise<unknown> = Promise.resolve();
  /** Records started so far; a checkpoint is this number. */
  private started = 0;
  /** Number of the last record that could not be written (0: none yet). */
  private lastFailed = 0;
  private lastReason = '';
  private outage: Omit<AuditGap, 'recordedSeq'> | null = null;
  private readonly recoveryListeners = new Set<RecoveryListener>();
  private readonly states = new Map<
    string,
    { state: ServiceState; pid: number | null; lastPid: number | null; restarts: number }
  >();

  constructor(
    private readonly journal: AuditJournal,
    private readonly onError: (error: unknown) => void,
    /** Told of each event synchronously, as it is recorded (before it is on disk). */
    private readonly onRecord: (input: AuditInput) => void = () => {},
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Appends one entry (durable when the promise resolves with it); a failure resolves null. */
  record(input: AuditInput): Promise<AuditEntry | null> {
    try {
      this.onRecord(input);
    } catch (error) {
      this.onError(error);
    }
    const index = ++this.started;
    // One at a time (the journal queues too): whether an outage is open is known only once
    // the write before has settled, and the gap entry must come before the next event.
    const done = this.last.then(() => this.write(input, index));
    this.last = done;
    return done;
  }

  /** Resolves when every entry recorded so far is settled: ok, or the outage still open. */
  async settled(): Promise<Durability> {
    await this.last;
    return this.outage ? { ok: false, reason: this.outage.reason } : { ok: true };
  }

  /** A mark to pass to durable(): everything recorded after it is checked there. */
  checkpoint(): number {
    return this.started;
  }

  /**
   * Resolves once every entry recorded since `since` (a checkpoint()) is on disk; rejects with
   * KeysHeldError (reason in plain words) when any of them could not be written.
   */
  async durable(since: number): Promise<void> {
    await this.last;
    if (this.lastFailed > since) throw new KeysHeldError(this.lastReason, this.journal.dir);
  }

  /** The entries lost in the outage still going on (not yet in the journal), or null. */
  openGap(): AuditGap | null {
    return this.outage ? { ...this.outage, recordedSeq: null } : null;
  }

  /**
   * Retry: try to write the open outage's journal.gap entry now (under `actor`). Resolves ok
   * when the journal takes entries again (or no outage is open), else with the reason.
   */
  probe(actor: AuditActor): Promise<Durability> {
    const done = this.last.then(async (): Promise<Durability> => {
      if (this.outage && !(await this.closeOutage(actor))) {
        return { ok: false, reason: this.outage.reason };
      }
      return { ok: true };
    });
    this.last = done;
    return done;
  }

  /** Subscribe to recoveries (the gap entry is on disk); returns the unsubscribe function. */
  onRecovered(listener: RecoveryListener): () => void {
    this.recoveryListeners.add(listener);
    return () => this.recoveryListeners.delete(listener);
  }

  private async write(input: AuditInput, index: number): Promise<AuditEntry | null> {
    if (this.outage) await this.closeOutage('system');
    try {
      return await this.journal.append(input);
    } catch (error) {
      if (error instanceof JournalWriteError) this.noteFailure(index, error.reason);
      this.onError(error);
      return null;
    }
  }

  private noteFailure(index: number, reason: string): void {
    const at = this.now().toISOString();
    this.lastFailed = index;
    this.lastReason = reason;
    if (this.outage) {
      this.outage.count++;
      this.outage.lastAt = at;
    } else {
      this.outage = { count: 1, firstAt: at, lastAt: at, reason };
    }
  }

  /** Writes the open outage's gap entry; true (outage closed, listeners told) when it is on disk. */
  private async closeOutage(actor: AuditActor): Promise<boolean> {
    const outage = this.outage;
    if (!outage) return true;
    let entry: AuditEntry;
    try {
      entry = await this.journal.append({
        type: 'journal.gap',
        actor,
        outcome: 'failed',
        detail:
          `${gapSentence(outage)} The journal could be written again at ` +
          `${this.now().toISOString()}; keys held back meanwhile were not released.`,
      });
    } catch (error) {
      if (error instanceof JournalWriteError) this.lastReason = error.reason;
      return false;
    }
    this.outage = null;
    const gap: AuditGap = { ...outage, recordedSeq: entry.seq };
    for (const listener of this.recoveryListeners) {
      try {
        listener(gap);
      } catch (error) {
        this.onError(error);
      }
    }
    return true;
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
        outcome: bad || s.state === 'held' ? 'failed' : 'info',
        detail:
          s.state === 'held'
            ? (s.heldReason ?? s.lastError ?? '')
            : s.state === 'waiting'
              ? s.waitingFor
                ? `waiting for ${s.waitingFor.label} at ${s.waitingFor.address}`
                : ''
              : bad || s.state === 'needs-key'
                ? (s.lastError ?? '')
                : // Stopped because a service it needs was stopped: journal and log say which.
                  s.state === 'stopped'
                  ? stoppedBySentence(s)
                  : '',
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
