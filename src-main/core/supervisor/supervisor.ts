import type { ServiceSpec, StackSpec } from '../stack/types';
import {
  UP_STATES,
  type ServiceState,
  type ServiceStatus,
} from '../../../src-shared/model/service';
import { notInstalledAdvice, skippedAdvice } from './advice';
import {
  dependenciesOf,
  dependentsOf,
  stopLevels,
  topologicalOrder,
  type DependencyNode,
} from './dependency-order';
import type { OutputStream } from './line-tail';
import { reclaimOrphans, type ReclaimResult } from './pid-file';
import {
  ServiceProcess,
  type SignalEvent,
  type StartOutcome,
  type StopReason,
} from './service-process';

/** How the composition root configures a Supervisor. */
export interface SupervisorOptions {
  /** Folder for pid files (one `<name>.pid` per running child). */
  runDir: string;
  now?: () => number;
  random?: () => number;
  /**
   * Builds the final env of a child at every spawn (injects the service's keys). Throw a
   * NeedsKeyError when a required key has no value: the service then waits in 'needs-key'.
   */
  prepareEnv?: (spec: ServiceSpec) => Promise<Record<string, string>>;
  /** Redacts secrets from output lines kept for status and crash reasons (default: none). */
  redact?: (line: string) => string;
  /** Pause between probes of a service's `waitFor` address (default 1 s). */
  waitProbeMs?: number;
  /** Log capture is behind: a promise for when it caught up (children's pipes pause meanwhile). */
  outputBackpressure?: () => Promise<void> | null;
}

/** Receives every signal sent to a service's child, with why (for its log and the journal). */
export type SignalListener = (name: string, event: SignalEvent) => void;

/** Receives every service's status after any state, pid or restart change. */
export type StatusListener = (statuses: ServiceStatus[]) => void;

/** Receives raw output chunks of every child (for the log pipeline). */
export type OutputListener = (name: string, stream: OutputStream, chunk: Buffer) => void;

/** Waiting states: nothing runs and nothing is retried until startWaiting (key entered, Retry). */
const waits = (s: string): boolean => s === 'needs-key' || s === 'held';

/** States a skipped service is left in (markSkipped). */
const DOWN: readonly ServiceState[] = ['stopped', 'failed', 'crashed'];

/**
 * Owns the whole stack: starts services in dependency order, stops them in reverse, keeps one
 * ServiceProcess per service and reports their statuses.
 */
export class Supervisor {
  private readonly services = new Map<string, ServiceProcess>();
  /** Declaration order of the current stack. */
  private order: string[] = [];
  private readonly statusListeners = new Set<StatusListener>();
  private readonly outputListeners = new Set<OutputListener>();
  private readonly signalListeners = new Set<SignalListener>();
  /** Services waiting because a dependency waits for its address: dependent -> that one. */
  private readonly waitSkipped = new Map<string, string>();
  private followUpQueued = false;
  /** Stops of services that left the stack definition. */
  private readonly retiring = new Set<Promise<void>>();
  /** Bumped by stopAll so that a startAll in flight starts nothing more. */
  private epoch = 0;
  /** Services not started because a service needed a key: dependent -> the one waiting. */
  private readonly keySkipped = new Map<string, string>();
  /** Services stopped because the user stopped one they need: dependent -> that one. */
  private readonly stoppedBy = new Map<string, string>();
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly prepareEnv: (spec: ServiceSpec) => Promise<Record<string, string>>;

  constructor(private readonly options: SupervisorOptions) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.prepareEnv = options.prepareEnv ?? ((spec) => Promise.resolve({ ...spec.env }));
  }

  /** Replace the stack definition. Removed services are stopped; running ones keep their old
   * definition until they are spawned again. Throws on duplicate names. */
  setSpec(spec: StackSpec): void {
    const names = spec.services.map((s) => s.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) throw new Error(`The stack defines service "${dup}" twice.`);
    this.order = names;
    for (const [name, service] of this.services) {
      if (names.includes(name)) continue;
      this.services.delete(name);
      const work = service.stop('removed from the stack').finally(() => this.retiring.delete(work));
      this.retiring.add(work);
    }
    for (const s of spec.services) {
      const existing = this.services.get(s.name);
      if (existing) existing.setSpec(s);
      else this.services.set(s.name, this.create(s));
    }
    this.emitChange();
  }

  /** Every service's status, in declaration order. */
  statuses(): ServiceStatus[] {
    return this.order.flatMap((name) => {
      const status = this.services.get(name)?.status();
      if (!status) return [];
      const by = this.stoppedBy.get(name);
      const cause = by !== undefined && status.state === 'stopped' ? this.services.get(by) : null;
      status.stoppedBy = cause ? { name: by!, displayName: cause.definition.displayName } : null;
      return [status];
    });
  }

  /**
   * Start the whole stack in dependency order, each service once its dependencies are ready.
   * Rejects (after stopping what it started) when a critical service fails or needs a key; a
   * non-critical failure or missing key only skips its dependents. Throws for unknown
   * dependencies or cycles.
   */
  startAll(): Promise<void> {
    return this.startGroup(null);
  }

  /**
   * Start again every service waiting in 'needs-key' or 'held' (call it once a key was entered,
   * or the audit journal can be written again; `states` narrows which), then
   * the services that were not started because of it, with their dependencies. Same outcome
   * rules as startAll; a service still missing its key goes back to 'needs-key'.
   */
  startWaiting(states: readonly ServiceState[] = ['needs-key', 'held']): Promise<void> {
    const waiting = new Set(this.order.filter((n) => states.includes(this.get(n).currentState)));
    const wanted = new Set(waiting);
    for (const [dependent, root] of [...this.keySkipped]) {
      const rootState = this.services.get(root)?.currentState;
      if (rootState === undefined || !waits(rootState) || !this.services.has(dependent)) {
        // Stale: its key service is no longer waiting (started, stopped or removed).
        this.keySkipped.delete(dependent);
      } else if (waiting.has(root) && DOWN.includes(this.get(dependent).currentState)) {
        wanted.add(dependent);
      }
    }
    if (wanted.size === 0) return Promise.resolve();
    const nodes = this.nodes();
    const group = new Set(wanted);
    for (const name of wanted) for (const dep of dependenciesOf(nodes, name)) group.add(dep);
    return this.startGroup(group);
  }

  /** startAll over `only` (null: every service); services outside it are not touched. */
  private async startGroup(only: ReadonlySet<string> | null): Promise<void> {
    const nodes = this.nodes();
    const order = topologicalOrder(nodes).filter((n) => only === null || only.has(n));
    const epoch = this.epoch;
    const outcomes = new Map<string, Promise<StartOutcome | 'skipped'>>();
    const started: string[] = [];
    let criticalError: string | null = null;
    let criticalName = '';
    let criticalOutcome = 'failed';
    const abort = (failed: string, message: string, outcome: string): void => {
      if (criticalError !== null) return;
      criticalError = message;
      criticalName = failed;
      criticalOutcome = outcome;
      // Siblings still waiting for readiness would only be stopped later: cancel them now.
      for (const name of started) {
        const service = this.get(name);
        const state = service.currentState;
        if (state === 'starting' || state === 'backoff' || state === 'waiting') {
          void service.stop('dependency failed');
        }
      }
    };
    /** The outcome of a dependency outside the group: what it is now, without starting it. */
    const outside = (name: string): StartOutcome => {
      const state = this.get(name).currentState;
      if (state === 'ready' || state === 'not-installed' || state === 'waiting' || waits(state))
        return state as StartOutcome;
      if (state === 'failed' || state === 'crashed') return state;
      return 'stopped';
    };
    for (const name of order) {
      const service = this.get(name);
      const spec = service.definition;
      const run = async (): Promise<StartOutcome | 'skipped'> => {
        const deps = await Promise.all(
          spec.dependsOn.map(async (d) => [d, (await outcomes.get(d)) ?? outside(d)] as const),
        );
        if (epoch !== this.epoch) return 'skipped';
        // A not-installed dependency may run outside (e.g. Temporal at TEMPORAL_SERVICE_ADDRESS).
        const blocker = deps.find(
          ([, o]) => o !== 'ready' && o !== 'not-installed' && o !== 'waiting',
        );
        const waitingDep = deps.find(([, o]) => o === 'waiting');
        if (!blocker && waitingDep && criticalError === null) {
          this.waitBehind(name, waitingDep[0]);
          return 'waiting';
        }
        if (blocker) {
          const [dep, depOutcome] = blocker;
          const reason = skippedAdvice(name, dep, depOutcome);
          service.markSkipped(reason);
          // The service whose missing key is behind this skip, if any (also transitively).
          const root = waits(depOutcome)
            ? dep
            : depOutcome === 'skipped'
              ? this.keySkipped.get(dep)
              : undefined;
          if (root !== undefined) this.keySkipped.set(name, root);
          else this.keySkipped.delete(name);
          if (spec.critical && depOutcome !== 'stopped') {
            // Blame the service that needs a key, so startWaiting can bring the rest back.
            if (root !== undefined) abort(root, reason, this.get(root).currentState);
            else abort(name, reason, 'failed');
          }
          return 'skipped';
        }
        if (criticalError !== null) {
          service.markSkipped(skippedAdvice(name, criticalName, criticalOutcome));
          if (waits(criticalOutcome)) this.keySkipped.set(name, criticalName);
          else this.keySkipped.delete(name);
          return 'skipped';
        }
        this.keySkipped.delete(name);
        if (service.currentState !== 'ready') started.push(name);
        const outcome = await service.start();
        const failed = !['ready', 'not-installed', 'stopped', 'waiting'].includes(outcome);
        if (spec.critical && failed && epoch === this.epoch) {
          abort(name, service.status().lastError ?? `${name} did not start.`, outcome);
        }
        return outcome;
      };
      outcomes.set(name, run());
    }
    await Promise.all(outcomes.values());
    if (criticalError !== null) {
      // A service waiting for its key has nothing to stop and keeps waiting.
      const toStop = started.filter((n) => !waits(this.get(n).currentState));
      await this.stopNames(new Set(toStop), 'dependency failed');
      if (waits(criticalOutcome) && epoch === this.epoch) {
        // startWaiting brings these back once the key is there.
        for (const n of toStop) {
          if (this.get(n).currentState === 'stopped') this.keySkipped.set(n, criticalName);
        }
      }
      throw new Error(criticalError);
    }
  }

  /** Stop every service, dependents first; cancels a startAll in flight. */
  async stopAll(reason: StopReason = 'user stop'): Promise<void> {
    this.epoch++;
    this.keySkipped.clear();
    this.waitSkipped.clear();
    this.stoppedBy.clear(); // everything was asked to stop: no service stopped "because of" another
    await this.stopNames(new Set(this.order), reason);
    await Promise.all([...this.retiring]);
  }

  /**
   * Start one service after its dependencies (each awaited to ready). Rejects with advice;
   * resolves when it (or a dependency) waits in 'needs-key', which the status then shows.
   */
  async start(name: string): Promise<void> {
    const target = this.get(name);
    const deps = dependenciesOf(this.nodes(), name);
    for (const [i, dep] of deps.entries()) {
      const service = this.get(dep);
      this.keySkipped.delete(dep);
      const outcome = await service.start();
      if (outcome === 'ready' || outcome === 'not-installed') continue;
      if (outcome === 'waiting') {
        // It starts by itself once its address opens; so do the ones after it.
        for (const later of [...deps.slice(i + 1), name]) this.waitBehind(later, dep);
        return;
      }
      const reason = skippedAdvice(name, dep, outcome);
      for (const later of [...deps.slice(i + 1), name]) {
        this.get(later).markSkipped(skippedAdvice(later, dep, outcome));
        if (waits(outcome)) this.keySkipped.set(later, dep);
      }
      if (waits(outcome)) return;
      const why = service.status().lastError;
      throw new Error(why ? `${reason} ${why}` : reason);
    }
    this.keySkipped.delete(name);
    this.waitSkipped.delete(name);
    const outcome = await target.start();
    if (outcome === 'ready' || outcome === 'waiting' || waits(outcome)) return;
    const spec = target.definition;
    if (outcome === 'not-installed')
      throw new Error(spec.runtime?.problem ?? notInstalledAdvice(name, spec.searched));
    // Stopped on request (Stop while it started): what was asked for happened.
    if (outcome === 'stopped' && target.stoppedOnRequest) return;
    if (outcome === 'stopped' && target.status().lastError === null) {
      throw new Error(`${name} was stopped before it was ready.`);
    }
    throw new Error(target.status().lastError ?? `${name} did not start.`);
  }

  /**
   * Stop one service, after stopping everything that depends on it. Cancels a start, a wait for
   * its address or a pending restart at once; `reason` goes with every signal to log and journal.
   * On a user stop, the dependents that were up are stopped for 'dependency stopped' and their
   * status names this service (stoppedBy) until they run again.
   */
  async stop(name: string, reason: StopReason = 'user stop'): Promise<void> {
    this.get(name);
    const dependents = this.safeDependents(name);
    for (const n of [...dependents, name]) {
      this.keySkipped.delete(n);
      this.waitSkipped.delete(n);
    }
    this.stoppedBy.delete(name);
    const byUser = reason === 'user stop';
    if (byUser) {
      // Set before they stop, so the very status that says 'stopped' also says why.
      for (const d of this.dependentsUp(name)) this.stoppedBy.set(d, name);
    }
    await this.stopNames(new Set([...dependents, name]), (n) =>
      byUser && n !== name ? 'dependency stopped' : reason,
    );
  }

  /** The services that need `name` (also transitively) and are up or on their way up. */
  dependentsUp(name: string): string[] {
    return this.safeDependents(name).filter((d) => UP_STATES.includes(this.get(d).currentState));
  }

  /** Stop and start one service; dependents that were up are brought back afterwards. */
  async restart(name: string, reason: StopReason = 'restart'): Promise<void> {
    const dependents = this.dependentsUp(name);
    await this.stop(name, reason);
    await this.start(name);
    for (const d of dependents) await this.start(d);
  }

  /** Subscribe to status changes; returns an unsubscribe function. */
  onChange(listener: StatusListener): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Subscribe to the signals sent to children; returns an unsubscribe function. */
  onSignal(listener: SignalListener): () => void {
    this.signalListeners.add(listener);
    return () => this.signalListeners.delete(listener);
  }

  /** Subscribe to raw child output; returns an unsubscribe function. */
  onOutput(listener: OutputListener): () => void {
    this.outputListeners.add(listener);
    return () => this.outputListeners.delete(listener);
  }

  /** Kill children left behind by a previous run that died (never our live ones). */
  reclaimOrphans(): Promise<ReclaimResult[]> {
    const ours = new Set<number>();
    for (const service of this.services.values()) {
      const pid = service.status().pid;
      if (pid !== null) ours.add(pid);
    }
    return reclaimOrphans(this.options.runDir, { ignorePids: ours });
  }

  /** Stop everything and drop all listeners (app quit). */
  async dispose(): Promise<void> {
    await this.stopAll('quit');
    this.statusListeners.clear();
    this.outputListeners.clear();
    this.signalListeners.clear();
  }

  private create(spec: ServiceSpec): ServiceProcess {
    return new ServiceProcess(spec, {
      runDir: this.options.runDir,
      now: this.now,
      random: this.random,
      prepareEnv: this.prepareEnv,
      redact: this.options.redact,
      waitProbeMs: this.options.waitProbeMs,
      outputBackpressure: this.options.outputBackpressure,
      onSignal: (event) => {
        for (const listener of this.signalListeners) {
          try {
            listener(spec.name, event);
          } catch {
            // A broken journal hook must not break stopping.
          }
        }
      },
      onChange: () => {
        // Running again (started by anyone): it is no longer "stopped because of" another.
        const state = this.services.get(spec.name)?.currentState;
        if (state !== undefined && state !== 'stopped' && state !== 'stopping')
          this.stoppedBy.delete(spec.name);
        this.emitChange();
        if (this.waitSkipped.size > 0) this.queueFollowUp();
      },
      onOutput: (stream, chunk) => {
        for (const listener of this.outputListeners) {
          try {
            listener(spec.name, stream, chunk);
          } catch {
            // A broken log consumer must not break supervision.
          }
        }
      },
    });
  }

  private get(name: string): ServiceProcess {
    const service = this.services.get(name);
    if (!service) throw new Error(`There is no service named "${name}" in the stack.`);
    return service;
  }

  private nodes(): DependencyNode[] {
    return this.order.map((name) => this.get(name).definition);
  }

  private safeDependents(name: string): string[] {
    try {
      return dependentsOf(this.nodes(), name);
    } catch {
      return []; // A broken graph must not prevent stopping.
    }
  }

  /** Stop `names`, dependents before dependencies, in parallel within a level. */
  private async stopNames(
    names: ReadonlySet<string>,
    reason: StopReason | ((name: string) => StopReason),
  ): Promise<void> {
    const why = typeof reason === 'function' ? reason : () => reason;
    for (const level of stopLevels(this.nodes())) {
      const here = level.filter((n) => names.has(n) && this.services.has(n));
      await Promise.all(here.map((n) => this.get(n).stop(why(n))));
    }
  }

  /** `name` waits because `dep` waits for its address (or waits behind another that does). */
  private waitBehind(name: string, dep: string): void {
    const root = this.waitSkipped.get(dep) ?? dep;
    const waitingFor = this.get(root).status().waitingFor ?? null;
    if (waitingFor === null) return;
    this.waitSkipped.set(name, root);
    this.get(name).waitBehind(waitingFor);
  }

  /** Once after the current change: start the dependents whose waited-for service came up. */
  private queueFollowUp(): void {
    if (this.followUpQueued) return;
    this.followUpQueued = true;
    queueMicrotask(() => {
      this.followUpQueued = false;
      for (const [name, root] of [...this.waitSkipped]) {
        const rootService = this.services.get(root);
        const service = this.services.get(name);
        const rootState = rootService?.currentState;
        if (!service || service.currentState !== 'waiting') {
          this.waitSkipped.delete(name);
        } else if (rootState === 'ready') {
          this.waitSkipped.delete(name);
          void this.start(name).catch(() => undefined); // its status shows why
        } else if (rootState !== 'waiting' && rootState !== 'starting') {
          this.waitSkipped.delete(name);
          service.endWaitBehind(skippedAdvice(name, root, rootState ?? 'stopped'));
        }
      }
    });
  }

  private emitChange(): void {
    if (this.statusListeners.size === 0) return;
    const statuses = this.statuses();
    for (const listener of this.statusListeners) {
      try {
        listener(statuses);
      } catch {
        // One failing listener must not starve the others.
      }
    }
  }
}
