import type { ServiceSpec } from '../stack/types';
import type { ServiceState, ServiceStatus } from '../../../src-shared/model/service';
import type { ChildHandle, SignalReport } from './child-handle';
import type { FailureExplanation } from './failure-knowledge';
import { LineTail } from './line-tail';
import { needsKeyAdvice } from './needs-key';
import { CrashHistory } from './restart-policy';
import { reportSignal } from './service-output';
import type { ExitRecord, ServiceProcessOptions, StartOutcome } from './service-process-types';
import { buildServiceStatus } from './service-status';

/**
 * The state of one supervised service and its bookkeeping (state changes, settling the start
 * request, tracked work); ServiceProcess adds the lifecycle (start, stop, spawn, crash).
 */
export abstract class ServiceProcessState {
  protected spec: ServiceSpec;
  /** A newer definition, applied at the next spawn (a running child keeps its own). */
  protected nextSpec: ServiceSpec | null = null;
  protected state: ServiceState;
  protected child: ChildHandle | null = null;
  protected startedAt: number | null = null;
  protected readyAt: number | null = null;
  protected restarts = 0;
  protected lastError: string | null = null;
  /** Keys prepareEnv reported missing; only shown while in 'needs-key'. */
  protected neededKeys: string[] = [];
  /** Why keys are held back (the journal error as advice); only shown while in 'held'. */
  protected heldReason: string | null = null;
  protected nextRestartAt: number | null = null;
  protected lastExitRecord: ExitRecord | null = null;
  protected readonly tail: LineTail;
  protected readonly crashes = new CrashHistory();
  protected backoffTimer: NodeJS.Timeout | null = null;
  protected attempt = 0;
  private startPromise: Promise<StartOutcome> | null = null;
  private resolveStart: ((outcome: StartOutcome) => void) | null = null;
  /** Terminations and crash clean-ups in flight; stop() waits for all of them. */
  protected readonly pending = new Set<Promise<void>>();
  protected ending: Promise<void> | null = null;
  /** What it waits for (only meaningful in 'waiting'). */
  protected waitingFor: { label: string; address: string } | null = null;
  /** Ends the pause between two probes at once (a stop while waiting). */
  protected wakeWait: (() => void) | null = null;
  /** The explained cause of the last failure, shown as `failure`. */
  protected failure: FailureExplanation | null = null;
  /** The explanation of the previous exit: the same one twice in a row gives up. */
  protected previousFailure: FailureExplanation | null = null;
  /** Set by stop(), cleared by start(): the last start ended because the user (or app) stopped it. */
  protected stopped = false;
  /** Waiting because a dependency waits (no probe of its own; the supervisor starts it later). */
  protected behind = false;

  constructor(
    spec: ServiceSpec,
    protected readonly opts: ServiceProcessOptions,
  ) {
    this.spec = spec;
    this.state = spec.command === null ? 'not-installed' : 'stopped';
    this.tail = new LineTail(20, opts.redact);
  }

  /** The service name. */
  get name(): string {
    return this.spec.name;
  }

  /** The definition the next spawn will use. */
  get definition(): ServiceSpec {
    return this.nextSpec ?? this.spec;
  }

  /** Current lifecycle state. */
  get currentState(): ServiceState {
    return this.state;
  }

  /** How the last child ended (null before the first exit). */
  get lastExit(): ExitRecord | null {
    return this.lastExitRecord;
  }

  /** True when the last start was ended by stop() (not by a failure). */
  get stoppedOnRequest(): boolean {
    return this.stopped;
  }

  /** A snapshot for the renderer and tray: no env, no secrets. */
  status(): ServiceStatus {
    return buildServiceStatus({
      spec: this.spec,
      state: this.state,
      pid: this.child?.pid ?? null,
      startedAt: this.startedAt,
      readyAt: this.readyAt,
      restarts: this.restarts,
      lastError: this.lastError,
      lastLines: this.tail.runSnapshot(),
      nextRestartAt: this.nextRestartAt,
      neededKeys: this.neededKeys,
      heldReason: this.heldReason,
      waitingFor: this.waitingFor,
      failure: this.failure,
    });
  }

  /** Note why this service was not started (a dependency failed); state stays as it is. */
  markSkipped(reason: string): void {
    if (this.state === 'stopped' || this.state === 'failed' || this.state === 'crashed') {
      this.lastError = reason;
      this.opts.onChange();
    }
  }

  /**
   * Wait (state 'waiting', nothing spawned) because a dependency waits for `waitingFor`; only
   * from a state where nothing runs.
   */
  waitBehind(waitingFor: { label: string; address: string }): void {
    if (!['stopped', 'failed', 'crashed', 'waiting'].includes(this.state) || this.child) return;
    this.behind = true;
    this.waitingFor = { ...waitingFor };
    this.lastError = null;
    this.heldReason = null;
    this.setState('waiting');
  }

  /** The dependency it waited behind will not come up: back to 'stopped', saying why. */
  endWaitBehind(reason: string): void {
    if (!this.behind || this.state !== 'waiting') return;
    this.behind = false;
    this.waitingFor = null;
    this.lastError = reason;
    this.setState('stopped');
  }

  /** The promise of the current start request (made on the first call, joined by later ones). */
  protected settledPromise(): Promise<StartOutcome> {
    this.startPromise ??= new Promise((resolve) => (this.resolveStart = resolve));
    return this.startPromise;
  }

  /** Resolve the current start request (if any) with `outcome`. */
  protected settle(outcome: StartOutcome): void {
    const resolve = this.resolveStart;
    this.startPromise = null;
    this.resolveStart = null;
    resolve?.(outcome);
  }

  /** Enter `state` and tell the owner. */
  protected setState(state: ServiceState): void {
    this.state = state;
    if (state !== 'backoff') {
      this.nextRestartAt = null;
      // "Restarting in N s" was true only while it waited to restart (not once stopped).
      if (this.lastError)
        this.lastError = this.lastError.replace(/\s*Restarting in [\d.]+ s\.?$/, '');
    }
    this.opts.onChange();
  }

  /** Take the newer definition (if any) for the next spawn. */
  protected adoptNextSpec(): void {
    if (this.nextSpec) this.spec = this.nextSpec;
    this.nextSpec = null;
  }

  /** End the pause between two probes now. */
  protected wake(): void {
    const wake = this.wakeWait;
    this.wakeWait = null;
    wake?.();
  }

  /** A signal went out: tell the owner with the reason, as one sentence. */
  protected signalled(report: SignalReport, reason: string): void {
    reportSignal(this.opts.onSignal, report, reason);
  }

  /** Cancel a pending restart. */
  protected clearBackoff(): void {
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    this.backoffTimer = null;
  }

  /** Settle in 'failed' with `reason`. */
  protected fail(reason: string): void {
    this.lastError = reason;
    this.setState('failed');
    this.settle('failed');
  }

  /** prepareEnv said a required key is missing: wait for it (no crash, no restart, no backoff). */
  protected needKey(keys: readonly string[]): void {
    this.neededKeys = [...keys];
    this.lastError = needsKeyAdvice(this.spec.name, keys);
    this.setState('needs-key');
    this.settle('needs-key');
  }

  /**
   * prepareEnv could not make the key release durable in the audit journal: wait like
   * needs-key (no spawn, no crash, no backoff, no automatic retry) until started again.
   */
  protected hold(reason: string): void {
    this.heldReason = reason;
    this.lastError = reason;
    this.setState('held');
    this.settle('held');
  }

  /** Keep `work` in `pending` until it ends, so stop() waits for it. */
  protected track(work: Promise<void>): Promise<void> {
    const tracked = work.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
    return tracked;
  }
}
