import type { ServiceSpec } from '../stack/types';
import { resolveWaitFor } from '../stack/host-port';
import * as advice from './advice';
import { reapChild, spawnChild, terminateChild, type ChildHandle } from './child-handle';
import { crashVerdict, readinessVerdict } from './crash-verdict';
import { describeReadinessTimeout, waitForReadiness } from './readiness';
import { outputHandler } from './service-output';
import { ServiceProcessState } from './service-process-state';
import type { StartOutcome, StopReason } from './service-process-types';
import { prepareSpawn, probeUntilOpen } from './spawn-preparation';
import { waitAddress } from './wait-for';

export type {
  ExitRecord,
  ServiceProcessOptions,
  SignalEvent,
  StartOutcome,
  StopReason,
} from './service-process-types';

/**
 * Supervises one service: spawns its child in its own process group, waits for readiness,
 * restarts it with backoff, detects crash loops and stops it (with its grandchildren).
 * Every async continuation checks `attempt` so a stop or a new start wins over stale work.
 * Its state and bookkeeping live in ServiceProcessState.
 */
export class ServiceProcess extends ServiceProcessState {
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

  /**
   * Probe `target` until it accepts a TCP connection; meanwhile the state is 'waiting' and the
   * start request is settled (it is not a failure: nothing runs, nothing is retried or counted).
   * Resolves false when a stop or a newer start took over.
   */
  private waitUntilOpen(
    target: { host: string; port: number; label: string },
    stale: () => boolean,
  ): Promise<boolean> {
    return probeUntilOpen(target, stale, this.opts.waitProbeMs, {
      waiting: () => {
        this.waitingFor = { label: target.label, address: waitAddress(target) };
        this.setState('waiting');
        this.settle('waiting');
      },
      setWake: (wake) => (this.wakeWait = wake),
      opened: () => {
        this.waitingFor = null;
        this.setState('starting');
      },
    });
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
    const prep = await prepareSpawn(spec, (s) => this.opts.prepareEnv(s), stale);
    if (prep.kind === 'stale') return;
    if (prep.kind === 'fail') return this.fail(prep.reason);
    if (prep.kind === 'needs-key') return this.needKey(prep.keys);
    if (prep.kind === 'held') return this.hold(prep.reason);
    const env = prep.env;
    if (restart) {
      this.restarts++;
      this.opts.onChange();
    }
    this.tail.markRun();
    let handle: ChildHandle | null = null;
    const spawned = await spawnChild({ ...spec, command: spec.command }, env, {
      runDir: this.opts.runDir,
      now: this.opts.now,
      onOutput: outputHandler(this.tail, this.opts, () => handle),
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
