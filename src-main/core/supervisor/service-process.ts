import type { ServiceSpec } from '../stack/types';
import type { ServiceState, ServiceStatus } from '../../../src-shared/model/service';
import * as advice from './advice';
import type { ExitInfo } from './advice';
import { LineTail, type OutputStream } from './line-tail';
import { reapChild, spawnChild, terminateChild, type ChildHandle } from './child-handle';
import { checkPortFree, portInUseAdvice } from './port-check';
import { describeReadinessTimeout, waitForReadiness } from './readiness';
import { KeysHeldError, NeedsKeyError, needsKeyAdvice } from './needs-key';
import { CrashHistory, backoffDelay, isCrashLoop, wantsRestart } from './restart-policy';

/** Where a start request ended: ready, or the state that stopped it from getting there. */
export type StartOutcome =
  'ready' | 'failed' | 'crashed' | 'stopped' | 'not-installed' | 'needs-key' | 'held';

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
      lastLines: this.tail.snapshot(),
      nextRestartAt: this.nextRestartAt,
      command: s.command === null ? null : [s.command, ...s.args],
      searched: [...s.searched],
      neededKeys: this.state === 'needs-key' ? [...this.neededKeys] : [],
      heldReason: this.state === 'held' ? this.heldReason : null,
      runtime: s.runtime?.node ?? null,
      runtimeNeeded: s.runtime && !s.runtime.node ? { kind: 'node', range: s.runtime.range } : null,
    };
  }

  /** Replace the definition; a live child keeps the old one until it is spawned again. */
  setSpec(spec: ServiceSpec): void {
    if (this.child !== null || this.state === 'starting' || this.state === 'backoff') {
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
   * User start: resolves when the service is ready or has settled in a state that will not
   * become ready by itself. Resets the restart count; a second call joins the first.
   */
  async start(): Promise<StartOutcome> {
    while (this.ending) await this.ending;
    if (this.state === 'ready') return 'ready';
    if (this.state === 'starting' || this.state === 'backoff') {
      const settled = this.settledPromise();
      if (this.state === 'backoff') {
        // The user does not want to wait for the backoff: start over right now.
        this.clearBackoff();
        this.restarts = 0;
        this.crashes.reset();
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
    const settled = this.settledPromise();
    void this.launch();
    return settled;
  }

  /** User stop: cancels a start or a pending restart; resolves when no process of it is left. */
  async stop(): Promise<void> {
    if (this.state === 'needs-key' || this.state === 'held') {
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
        void this.end(this.child, 'stopped', this.lastError);
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
    if (state !== 'backoff') this.nextRestartAt = null;
    this.opts.onChange();
  }

  private adoptNextSpec(): void {
    if (this.nextSpec) this.spec = this.nextSpec;
    this.nextSpec = null;
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
    const spawned = await spawnChild({ ...spec, command: spec.command }, env, {
      runDir: this.opts.runDir,
      now: this.opts.now,
      onOutput: (stream, chunk) => {
        this.tail.push(stream, chunk);
        this.opts.onOutput(stream, chunk);
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
    if (stale()) {
      // Cannot happen today (no task runs between spawn and here), but never leak a child.
      child.expected = true;
      void this.track(terminateChild(child, this.opts.runDir).then(() => undefined));
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
    const last = this.tail.lastMeaningfulLine();
    void this.end(child, 'failed', advice.readinessTimeoutAdvice(spec.name, what, last));
  }

  /** We end this child ourselves; settles in `final` once its whole group is gone. */
  private end(
    child: ChildHandle,
    final: 'stopped' | 'failed',
    reason: string | null,
  ): Promise<void> {
    child.expected = true;
    child.readiness.abort();
    this.attempt++;
    this.setState('stopping');
    const work = this.track(
      (async () => {
        const forced = await terminateChild(child, this.opts.runDir);
        this.lastExitRecord = { ...(child.exit ?? { code: null, signal: 'SIGKILL' }), forced };
        this.tail.flush();
        if (this.child === child) this.child = null;
        this.startedAt = null;
        this.readyAt = null;
        this.lastError = reason;
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
    await reapChild(child, this.opts.runDir);
    if (attempt !== this.attempt) return; // the user stopped or restarted it meanwhile
    const spec = child.spec;
    const policy = spec.restart;
    const last = this.tail.lastMeaningfulLine();
    if (!wantsRestart(policy, exit)) {
      const cleanAfterReady = wasReady && exit.code === 0 && exit.signal === null;
      const final = cleanAfterReady ? 'stopped' : policy.policy === 'never' ? 'crashed' : 'failed';
      this.lastError = advice.noRestartAdvice(spec.name, exit, last, wasReady);
      this.setState(final);
      this.settle(final);
      return;
    }
    const count = this.crashes.record(this.opts.now(), policy);
    if (isCrashLoop(policy, count)) {
      this.fail(advice.crashLoopAdvice(spec.name, count, this.crashes.span(), exit, last));
      return;
    }
    const delay = backoffDelay(policy, count, this.opts.random);
    this.lastError = advice.crashRetryAdvice(spec.name, exit, last, delay);
    this.nextRestartAt = this.opts.now() + delay;
    this.setState('backoff');
    this.backoffTimer = setTimeout(() => {
      this.backoffTimer = null;
      if (attempt !== this.attempt || this.state !== 'backoff') return;
      void this.launch(true);
    }, delay);
  }
}
