import type { ServiceSpec, StackSpec } from '../stack/types';
import type { ServiceState, ServiceStatus } from '../../../src-shared/model/service';
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
import { ServiceProcess, type StartOutcome } from './service-process';

/** How the composition root configures a Supervisor. */
export interface SupervisorOptions {
  /** Folder for pid files (one `<name>.pid` per running child). */
  runDir: string;
  now?: () => number;
  random?: () => number;
  /** Builds the final env of a child at every spawn (later: injects the service's keys). */
  prepareEnv?: (spec: ServiceSpec) => Promise<Record<string, string>>;
}

/** Receives every service's status after any state, pid or restart change. */
export type StatusListener = (statuses: ServiceStatus[]) => void;

/** Receives raw output chunks of every child (for the log pipeline). */
export type OutputListener = (name: string, stream: OutputStream, chunk: Buffer) => void;

/** States in which a service counts as wanted up (restart brings these dependents back). */
const ACTIVE: readonly ServiceState[] = ['starting', 'ready', 'backoff'];

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
  /** Stops of services that left the stack definition. */
  private readonly retiring = new Set<Promise<void>>();
  /** Bumped by stopAll so that a startAll in flight starts nothing more. */
  private epoch = 0;
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
      const work = service.stop().finally(() => this.retiring.delete(work));
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
    return this.order.flatMap((name) => this.services.get(name)?.status() ?? []);
  }

  /**
   * Start the whole stack in dependency order, each service once its dependencies are ready.
   * Rejects (after stopping what it started) when a critical service fails; a non-critical
   * failure only skips its dependents. Throws for unknown dependencies or cycles.
   */
  async startAll(): Promise<void> {
    const nodes = this.nodes();
    const order = topologicalOrder(nodes);
    const epoch = this.epoch;
    const outcomes = new Map<string, Promise<StartOutcome | 'skipped'>>();
    const started: string[] = [];
    let criticalError: string | null = null;
    let criticalName = '';
    const abort = (failed: string, message: string): void => {
      if (criticalError !== null) return;
      criticalError = message;
      criticalName = failed;
      // Siblings still waiting for readiness would only be stopped later: cancel them now.
      for (const name of started) {
        const service = this.get(name);
        if (service.currentState === 'starting' || service.currentState === 'backoff') {
          void service.stop();
        }
      }
    };
    for (const name of order) {
      const service = this.get(name);
      const spec = service.definition;
      const run = async (): Promise<StartOutcome | 'skipped'> => {
        const deps = await Promise.all(
          spec.dependsOn.map(async (d) => [d, await outcomes.get(d)!] as const),
        );
        if (epoch !== this.epoch) return 'skipped';
        // A not-installed dependency may run outside (e.g. Temporal at TEMPORAL_SERVICE_ADDRESS).
        const blocker = deps.find(([, o]) => o !== 'ready' && o !== 'not-installed');
        if (blocker) {
          const reason = skippedAdvice(name, blocker[0], blocker[1]);
          service.markSkipped(reason);
          if (spec.critical && blocker[1] !== 'stopped') abort(name, reason);
          return 'skipped';
        }
        if (criticalError !== null) {
          service.markSkipped(skippedAdvice(name, criticalName, 'failed'));
          return 'skipped';
        }
        if (service.currentState !== 'ready') started.push(name);
        const outcome = await service.start();
        const failed = outcome !== 'ready' && outcome !== 'not-installed' && outcome !== 'stopped';
        if (spec.critical && failed && epoch === this.epoch) {
          abort(name, service.status().lastError ?? `${name} did not start.`);
        }
        return outcome;
      };
      outcomes.set(name, run());
    }
    await Promise.all(outcomes.values());
    if (criticalError !== null) {
      await this.stopNames(new Set(started));
      throw new Error(criticalError);
    }
  }

  /** Stop every service, dependents first; cancels a startAll in flight. */
  async stopAll(): Promise<void> {
    this.epoch++;
    await this.stopNames(new Set(this.order));
    await Promise.all([...this.retiring]);
  }

  /** Start one service after its dependencies (each awaited to ready). Rejects with advice. */
  async start(name: string): Promise<void> {
    const target = this.get(name);
    const deps = dependenciesOf(this.nodes(), name);
    for (const [i, dep] of deps.entries()) {
      const service = this.get(dep);
      const outcome = await service.start();
      if (outcome === 'ready' || outcome === 'not-installed') continue;
      const reason = skippedAdvice(name, dep, outcome);
      for (const later of [...deps.slice(i + 1), name]) {
        this.get(later).markSkipped(skippedAdvice(later, dep, outcome));
      }
      const why = service.status().lastError;
      throw new Error(why ? `${reason} ${why}` : reason);
    }
    const outcome = await target.start();
    if (outcome === 'ready') return;
    const spec = target.definition;
    if (outcome === 'not-installed') throw new Error(notInstalledAdvice(name, spec.searched));
    if (outcome === 'stopped' && target.status().lastError === null) {
      throw new Error(`${name} was stopped before it was ready.`);
    }
    throw new Error(target.status().lastError ?? `${name} did not start.`);
  }

  /** Stop one service, after stopping everything that depends on it. */
  async stop(name: string): Promise<void> {
    this.get(name);
    const dependents = this.safeDependents(name);
    await this.stopNames(new Set([...dependents, name]));
  }

  /** Stop and start one service; dependents that were up are brought back afterwards. */
  async restart(name: string): Promise<void> {
    const dependents = this.safeDependents(name).filter((d) =>
      ACTIVE.includes(this.get(d).currentState),
    );
    await this.stop(name);
    await this.start(name);
    for (const d of dependents) await this.start(d);
  }

  /** Subscribe to status changes; returns an unsubscribe function. */
  onChange(listener: StatusListener): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
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
    await this.stopAll();
    this.statusListeners.clear();
    this.outputListeners.clear();
  }

  private create(spec: ServiceSpec): ServiceProcess {
    return new ServiceProcess(spec, {
      runDir: this.options.runDir,
      now: this.now,
      random: this.random,
      prepareEnv: this.prepareEnv,
      onChange: () => this.emitChange(),
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
  private async stopNames(names: ReadonlySet<string>): Promise<void> {
    for (const level of stopLevels(this.nodes())) {
      const here = level.filter((n) => names.has(n) && this.services.has(n));
      await Promise.all(here.map((n) => this.get(n).stop()));
    }
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
