import type { ServiceSpec } from '../stack/types';
import type { ServiceState, ServiceStatus } from '../../../src-shared/model/service';
import { programLabel } from '../stack/bundled-runner';
import { resolveWaitFor } from '../stack/host-port';
import * as advice from './advice';
import type { ExitInfo } from './advice';
import { LineTail, type OutputStream } from './line-tail';
import {
  reapChild,
  spawnChild,
  terminateChild,
  type ChildHandle,
  type SignalReport,
} from './child-handle';
import { crashVerdict, readinessVerdict } from './crash-verdict';
import type { FailureExplanation } from './failure-knowledge';
import { checkPortFree, portInUseAdvice } from './port-check';
import { describeReadinessTimeout, waitForReadiness } from './readiness';
import { KeysHeldError, NeedsKeyError, needsKeyAdvice } from './needs-key';
import { CrashHistory } from './restart-policy';
import { PROBE_INTERVAL_MS, tcpOpen, waitAddress } from './wait-for';

/** Where a start request ended: ready, or the state that stopped it from getting there. */
export type StartOutcome =
  'ready' | 'failed' | 'crashed' | 'stopped' | 'not-installed' | 'needs-key' | 'held' | 'waiting';

/**
 * Why the app stops a child; written with each signal to its log and the journal. The words
 * are the user's ("user stop", "quit"), optionally followed by what caused it.
 */
export type StopReason =
  | 'user stop'
  | 'readiness timeout'
  | 'crash-loop stop'
  | 'quit'
  | 'rotation'
  | 'restart'
  | 'dependency failed'
  /** The user stopped a service this one needs (the supervisor says which in its status). */
  | 'dependency stopped'
  | 'removed from the stack';

/** A signal (or stdin shutdown) sent to a child, with why. */
export interface SignalEvent extends SignalReport {
  /** Why it was sent, e.g. "user stop" or "readiness timeout (did not print … within 30 s)". */
  reason: string;
  /** The whole sentence for the log and journal: "SIGTERM to pid 123 (group): user stop". */
  detail: string;
}

/** How the last child ended, and whether SIGKILL was needed to end it. */
export interface ExitRecord extends ExitInfo {
  forced: boolean;
}

/** What a ServiceProcess needs from its owner (clock, randomness, env hook, event sinks). */
export interface ServiceProcessOptions {
  runDir: string;
  now: () => number;
  random: () => number;
  prepareEnv: (spec: ServiceSpec) => Promise<Record<string, string>>;
  onChange: () => void;
  onOutput: (stream: OutputStream, chunk: Buffer) => void;
  /** Redacts secrets from a line before it is kept for status and crash reasons. */
  redact?: (line: string) => string;
  /** Told of every signal sent to a child (and of a stdin shutdown), as it is sent. */
  onSignal?: (event: SignalEvent) => void;
  /** Pause between probes of a `waitFor` address (default 1 s; never less in the app). */
  waitProbeMs?: number;
  /**
   * Called after each chunk is passed on: a promise while log capture is behind (its worker has
   * more than a few MiB queued), during which this child's pipes are paused, so the child waits
   * as it did when capture ran on this thread, instead of the queue growing without bound.
   */
  outputBackpressure?: () => Promise<void> | null;
}

/** Pause a child's pipes until `until` settles (log capture caught up). */
function pauseOutput(child: ChildHandle, until: Promise<void>): void {
  const { stdout, stderr } = child.proc;
  if (stdout?.isPaused() && stderr?.isPaused()) return;
  stdout?.pause();
  stderr?.pause();
  void until.then(() => {
    stdout?.resume();
    stderr?.resume();
  });
}

/**
 * Supervises one service: spawns its child in its own process group, waits for readiness,
 * restarts it with backoff, detects crash loops and stops it (with its grandchildren).
 * Every async continuation checks `attempt` so a stop or a new start wins over stale work.
 */
export class ServiceProcess {
  private spec: ServiceSpec;
  /** A newer definition, applied at the next spawn (a running child keeps its own). */
  private nextSpec: ServiceSpec | null = null;
  private state: ServiceState;
  private child: ChildHandle | null = null;
  private startedAt: number | null = null;
  private readyAt: number | null = null;
  private restarts = 0;
  private lastError: string | null = null;
  /** Keys prepareEnv reported missing; only shown while in 'needs-key'. */
  private neededKeys: string[] = [];
  /** Why keys are held back (the journal error as advice); only shown while in 'held'. */
  private heldReason: string | null = null;
  private nextRestartAt: number | null = null;
  private lastExitRecord: ExitRecord | null = null;
  private readonly tail: LineTail;
  private readonly crashes = new CrashHistory();
  private backoffTimer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private startPromise: Promise<StartOutcome> | null = null;
  private resolveStart: ((outcome: StartOutcome) => void) | null = null;
  /** Terminations and crash clean-ups in flight; stop() waits for all of them. */
  private readonly pending = new Set<Promise<void>>();
  private ending: Promise<void> | null = null;
  /** What it waits for (only meaningful in 'waiting'). */
  private waitingFor: { label: string; address: string } | null = null;
  /** Ends the pause between two probes at once (a stop while waiting). */
  private wakeWait: (() => void) | null = null;
  /** The explained cause of the last failure, shown as `failure`. */
  private failure: FailureExplanation | null = null;
  /** The explanation of the previous exit: the same one twice in a row gives up. */
  private previousFailure: FailureExplanation | null = null;
  /** Set by stop(), cleared by start(): the last start ended because the user (or app) stopped it. */
  private stopped = false;
  /** Waiting because a dependency waits (no probe of its own; the supervisor starts it later). */
  private behind = false;

  constructor(
    spec: ServiceSpec,
    private readonly opts: ServiceProcessOptions,
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

  /** A snapshot for the renderer and tray: no env, no secrets. */
  status(): ServiceStatus {
    const s = this.spec;
    return {
      name: s.name,
      displayName: s.displayName,
      state: this.state,
      critical: s.critical,
      dependsOn: [...s.dependsOn],
      pid: this.child?.pid ?? null,
      startedAt: this.startedAt,
      readyAt: this.readyAt,
      restarts: this.restarts,
      ports: [...s.ports],
      // A Node program without a Node it can run on: the advice says which Node and what to do.
      lastError:
        this.state === 'not-installed' && s.runtime?.problem ? s.runtime.problem : this.lastError,
      // The current (or last) child's lines only: "Show last output" never mixes earlier runs.
      lastLines: this.tail.runSnapshot(),
      nextRestartAt: this.nextRestartAt,
      command: s.command === null ? null : [s.command, ...s.args],
      searched: [...s.searched],
      neededKeys: this.state === 'needs-key' ? [...this.neededKeys] : [],
      heldReason: this.state === 'held' ? this.heldReason : null,
      program: programLabel(s),
      runtime: s.runtime?.node ?? null,
      runtimeNeeded: s.runtime && !s.runtime.node ? { kind: 'node', range: s.runtime.range } : null,
      waitingFor: this.state === 'waiting' ? this.waitingFor : null,
      failure: this.failure && {
        kind: this.failure.kind,
        reason: this.failure.reason,
        fix: this.failure.fix,
        permanent: this.failure.permanent,
      },
    };
  }

  /** True when the last start was ended by stop() (not by a failure). */
  get stoppedOnRequest(): boolean {
    return this.stopped;
  }

  /** Replace the definition; a live child keeps the old one until it is spawned again. */
  setSpec(spec: ServiceSpec): void {
    if (
      this.child !== null ||
      this.state === 'starting' ||
      this.state === 'backoff' ||
      this.state === 'waiting'
    ) {
      this.nextSpec = spec;
      return;
    }
    this.spec = spec;
    this.nextSpec = null;
    if (this.state === 'stopping') return;
    if (spec.command === null) this.state = 'not-installed';
    else if (this.state === 'not-installed') this.state = 'stopped';
    this.opts.onChange();
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

  /**
   * User start: resolves when the service is ready or has settled in a state that will not
   * become ready by itself. Resets the restart count; a second call joins the first.
   */
  async start(): Promise<StartOutcome> {
    while (this.ending) await this.ending;
    this.stopped = false;
    if (this.state === 'ready') return 'ready';
    // Still waiting for its address: it starts by itself once that opens. One waiting behind
    // a dependency is started by the supervisor once that dependency is up.
    if (this.state === 'waiting' && !this.behind) return 'waiting';
    this.behind = false;
    if (this.state === 'starting' || this.state === 'backoff') {
      const settled = this.settledPromise();
      if (this.state === 'backoff') {
        // The user does not want to wait for the backoff: start over right now.
        this.clearBackoff();
        this.restarts = 0;
        this.crashes.reset();
        this.previousFailure = null;
        void this.launch();
      }
      return settled;
    }
    if (this.nextSpec) this.adoptNextSpec();
    if (this.spec.command === null) {
      this.state = 'not-installed';
      this.opts.onChange();
      return 'not-installed';
    }
    this.restarts = 0;
    this.crashes.reset();
    this.lastError = null;
    this.failure = null;
    this.previousFailure = null;
    const settled = this.settledPromise();
    void this.launch();
    return settled;
  }

  /**
   * Stop: cancels a start, a wait or a pending restart at once; resolves when no process of it
   * is left. `reason` goes with every signal into its log and the journal.
   */
  async stop(reason: StopReason = 'user stop'): Promise<void> {
    const active = !['stopped', 'failed', 'crashed', 'not-installed'].includes(this.state);
    if (active) this.stopped = true;
    if (this.state === 'waiting') {
      this.attempt++;
      this.wake();
      this.behind = false;
      this.waitingFor = null;
      this.setState('stopped');
      this.settle('stopped');
    } else if (this.state === 'needs-key' || this.state === 'held') {
      // Nothing runs: just stop waiting for the key (or for the journal).
      this.attempt++;
      this.setState('stopped');
    } else if (this.state === 'backoff') {
      this.clearBackoff();
      this.attempt++;
      this.setState('stopped');
      this.settle('stopped');
    } else if (this.state === 'starting' || this.state === 'ready') {
      if (this.child && !this.child.expected) {
        const lastError = this.lastError;
        void this.end(this.child, 'stopped', reason, () => lastError);
      } else {
        // Still checking ports / preparing env, or cleaning up a crash: nothing to signal yet.
        this.attempt++;
        this.setState('stopped');
        this.settle('stopped');
      }
    }
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private settledPromise(): Promise<StartOutcome> {
    this.startPromise ??= new Promise((resolve) => (this.resolveStart = resolve));
    return this.startPromise;
  }

  private settle(outcome: StartOutcome): void {
    const resolve = this.resolveStart;
    this.startPromise = null;
    this.resolveStart = null;
    resolve?.(outcome);
  }

  private setState(state: ServiceState): void {
    this.state = state;
    if (state !== 'backoff') {
      this.nextRestartAt = null;
      // "Restarting in N s" was true only while it waited to restart (not once stopped).
      if (this.lastError)
        this.lastError = this.lastError.replace(/\s*Restarting in [\d.]+ s\.?$/, '');
    }
    this.opts.onChange();
  }

  private adoptNextSpec(): void {
    if (this.nextSpec) this.spec = this.nextSpec;
    this.nextSpec = null;
  }

  private wake(): void {
    const wake = this.wakeWait;
    this.wakeWait = null;
    wake?.();
  }

  /** A signal went out: tell the owner with the reason, as one sentence. */
  private signalled(report: SignalReport, reason: string): void {
    // "SIGKILL … grace: still running" already says why it was needed; the reason follows it.
    const detail = report.what.includes(': ')
      ? `${report.what} (${reason})`
      : `${report.what}: ${reason}`;
    try {
      this.opts.onSignal?.({ ...report, reason, detail });
    } catch {
      // A broken journal hook must not break stopping.
    }
  }

  /**
   * Probe `target` until it accepts a TCP connection; meanwhile the state is 'waiting' and the
   * start request is settled (it is not a failure: nothing runs, nothing is retried or counted).
   * Resolves false when a stop or a newer start took over.
   */
  private async waitUntilOpen(
    target: { host: string; port: number; label: string },
    stale: () => boolean,
  ): Promise<boolean> {
    if (await tcpOpen(target.host, target.port)) return !stale();
    if (stale()) return false;
    this.waitingFor = { label: target.label, address: waitAddress(target) };
    this.setState('waiting');
    this.settle('waiting');
    const pause = Math.max(this.opts.waitProbeMs ?? PROBE_INTERVAL_MS, 10);
    for (;;) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pause);
        this.wakeWait = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeWait = null;
      if (stale()) return false;
      if (await tcpOpen(target.host, target.port)) break;
      if (stale()) return false;
    }
    if (stale()) return false;
    this.waitingFor = null;
    this.setState('starting');
    return true;
  }

  private clearBackoff(): void {
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    this.backoffTimer = null;
  }

  private fail(reason: string): void {
    this.lastError = reason;
    this.setState('failed');
    this.settle('failed');
  }

  /** prepareEnv said a required key is missing: wait for it (no crash, no restart, no backoff). */
  private needKey(keys: readonly string[]): void {
    this.neededKeys = [...keys];
    this.lastError = needsKeyAdvice(this.spec.name, keys);
    this.setState('needs-key');
    this.settle('needs-key');
  }

  /**
   * prepareEnv could not make the key release durable in the audit journal: wait like
   * needs-key (no spawn, no crash, no backoff, no automatic retry) until started again.
   */
  private hold(reason: string): void {
    this.heldReason = reason;
    this.lastError = reason;
    this.setState('held');
    this.settle('held');
  }

  private track(work: Promise<void>): Promise<void> {
    const tracked = work.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
    return tracked;
  }

  /**
   * One spawn: port checks, env, spawn, pid file, readiness. `restart` marks an automatic
   * restart; it is counted only once the env is there (a missing key is not a restart).
   */
  private async launch(restart = false): Promise<void> {
    const attempt = ++this.attempt;
    const stale = (): boolean => attempt !== this.attempt;
    this.adoptNextSpec();
    const spec = this.spec;
    this.startedAt = null;
    this.readyAt = null;
    this.setState('starting');
    if (spec.command === null) {
      this.setState('not-installed');
      this.settle('not-installed');
      return;
    }
    const target = resolveWaitFor(spec.waitFor, spec.env);
    if (target && !(await this.waitUntilOpen(target, stale))) return;
    for (const port of spec.ports) {
      const check = await checkPortFree(port);
      if (stale()) return;
      if (!check.free) return this.fail(portInUseAdvice(port, check.holder));
    }
    let env: Record<string, string>;
    try {
      env = await this.opts.prepareEnv(spec);
    } catch (err) {
      if (stale()) return;
      if (err instanceof NeedsKeyError) return this.needKey(err.keys);
      if (err instanceof KeysHeldError) return this.hold(err.message);
      this.fail(`${spec.name} could not get its environment: ${String(err)}`);
      return;
    }
    if (stale()) return;
    if (restart) {
      this.restarts++;
      this.opts.onChange();
    }
    this.tail.markRun();
    let handle: ChildHandle | null = null;
    const spawned = await spawnChild({ ...spec, command: spec.command }, env, {
      runDir: this.opts.runDir,
      now: this.opts.now,
      onOutput: (stream, chunk) => {
        // The tail first: it copies what it keeps, and capture may hand the chunk to its worker.
        this.tail.push(stream, chunk);
        this.opts.onOutput(stream, chunk);
        const behind = this.opts.outputBackpressure?.();
        if (behind && handle) pauseOutput(handle, behind);
      },
      onExit: (exited) => {
        if (!exited.expected) void this.track(this.onCrash(exited));
      },
    });
    if ('error' in spawned) {
      if (!stale()) {
        this.fail(advice.spawnFailedAdvice(spec.name, spec.command, spec.cwd, spawned.error));
      }
      return;
    }
    const child = spawned;
    handle = child;
    if (stale()) {
      // Cannot happen today (no task runs between spawn and here), but never leak a child.
      child.expected = true;
      void this.track(
        terminateChild(child, this.opts.runDir, (r) => this.signalled(r, 'superseded')).then(
          () => undefined,
        ),
      );
      return;
    }
    this.child = child;
    this.startedAt = this.opts.now();
    this.opts.onChange();
    // Awaiting the pid file too means "ready" always implies it is on disk for reclaim.
    const [result] = await Promise.all([
      waitForReadiness(
        spec.readiness,
        (listener) => this.tail.onLine(listener),
        child.readiness.signal,
      ),
      child.pidFile,
    ]);
    if (stale() || this.child !== child || child.exit || child.expected) return;
    if (result === 'ready') {
      child.descendants.scanSoon(); // helpers are usually up by now: record them while alive
      this.readyAt = this.opts.now();
      this.setState('ready');
      this.settle('ready');
      return;
    }
    const what = describeReadinessTimeout(spec.readiness);
    // What it prints while it is being stopped may be the real reason (the runner's Temporal
    // timeout comes seconds after SIGTERM), so the verdict is made once it is gone.
    void this.end(child, 'failed', `readiness timeout (it ${what})`, () => {
      const lines = this.tail.runSnapshot();
      const v = readinessVerdict(spec.name, what, lines, this.tail.lastMeaningfulLine(), spec.env);
      this.failure = v.failure;
      return v.error;
    });
  }

  /**
   * We end this child ourselves; settles in `final` once its whole group is gone, with the
   * error `why()` gives then (it may read what the child printed while stopping).
   */
  private end(
    child: ChildHandle,
    final: 'stopped' | 'failed',
    reason: string,
    why: () => string | null,
  ): Promise<void> {
    child.expected = true;
    child.readiness.abort();
    this.attempt++;
    this.setState('stopping');
    const work = this.track(
      (async () => {
        const forced = await terminateChild(child, this.opts.runDir, (r) =>
          this.signalled(r, reason),
        );
        this.lastExitRecord = { ...(child.exit ?? { code: null, signal: 'SIGKILL' }), forced };
        this.tail.flush();
        if (this.child === child) this.child = null;
        this.startedAt = null;
        this.readyAt = null;
        this.lastError = why();
        this.setState(final);
        this.settle(final);
      })(),
    );
    this.ending = work;
    void work.finally(() => {
      if (this.ending === work) this.ending = null;
    });
    return work;
  }

  /** The child exited without being asked: clean up, then restart, give up or stay down. */
  private async onCrash(child: ChildHandle): Promise<void> {
    if (this.child !== child) return;
    const attempt = this.attempt;
    const exit = child.exit ?? { code: null, signal: null };
    const wasReady = this.state === 'ready';
    child.expected = true;
    this.child = null;
    this.startedAt = null;
    this.readyAt = null;
    this.tail.flush();
    this.lastExitRecord = { ...exit, forced: false };
    this.opts.onChange();
    await reapChild(child, this.opts.runDir, [], (target, left) =>
      this.signalled(
        { signal: 'SIGKILL', pid: child.pid, what: `${target}${left}` },
        `clean-up after it ${advice.describeExit(exit)}`,
      ),
    );
    if (attempt !== this.attempt) return; // the user stopped or restarted it meanwhile
    const spec = child.spec;
    const { verdict, failure } = crashVerdict({
      name: spec.name,
      exit,
      lines: this.tail.runSnapshot(),
      last: this.tail.lastMeaningfulLine(),
      env: spec.env,
      wasReady,
      policy: spec.restart,
      previous: this.previousFailure,
      recordCrash: () => this.crashes.record(this.opts.now(), spec.restart),
      span: () => this.crashes.span(),
      random: this.opts.random,
    });
    this.failure = failure;
    this.previousFailure = failure;
    this.lastError = verdict.error;
    if (verdict.action === 'stay-down') {
      this.setState(verdict.state);
      this.settle(verdict.state);
      return;
    }
    const delay = verdict.delayMs;
    this.nextRestartAt = this.opts.now() + delay;
    this.setState('backoff');
    this.backoffTimer = setTimeout(() => {
      this.backoffTimer = null;
      if (attempt !== this.attempt || this.state !== 'backoff') return;
      void this.launch(true);
    }, delay);
  }
}
