import { create } from 'zustand';
import { api } from '../api/client';
import { isConnected } from '../api/connection';
import { whilePending } from './pending';
import type { StackSnapshot, UsageReport } from '../../src-shared/model/service';

/**
 * A key for an in-flight action. Each stack action and each service's start and stop have their
 * own, so that one slow action (a start waiting for readiness) never locks any other.
 */
export type PendingKey =
  | 'stack:start'
  | 'stack:stop'
  | 'stack:reload'
  | 'stack:retry'
  | `service:${string}`
  | `service:${string}:stop`;

interface ServicesState {
  snapshot: StackSnapshot | null;
  /** The latest CPU / memory sample of the running services (none before the first). */
  usage: UsageReport | null;
  pending: Partial<Record<PendingKey, string>>;
  /** The last action error, written as advice; cleared by the next action. */
  error: string | null;
  init(): () => void;
  startStack(): Promise<void>;
  stopStack(): Promise<void>;
  start(name: string): Promise<void>;
  /** Start `name`, then each of `dependents` (ones stopped with it) once it is up. */
  startWith(name: string, dependents: readonly string[]): Promise<void>;
  stop(name: string): Promise<void>;
  restart(name: string): Promise<void>;
  reload(): Promise<void>;
  /** The audit journal could not be written: try again, then start the held services. */
  retryAudit(): Promise<void>;
  dismissError(): void;
  /** Reads the snapshot again (after a reconnect: events may have been missed). */
  resync(): void;
}

/** True when a row's last error and an action's error say the same thing. */
export function sameError(row: string | null, action: string): boolean {
  if (!row) return false;
  const a = row.trim();
  const b = action.trim();
  return a === b || a.includes(b) || b.includes(a);
}

/** Services store: the stack snapshot (pushed by main) and the actions on it. */
export const useServices = create<ServicesState>((set, get) => {
  const accept = (next: StackSnapshot): void => {
    const current = get().snapshot;
    if (!current || next.version >= current.version) set({ snapshot: next });
  };
  const run = async (key: PendingKey, label: string, action: () => Promise<StackSnapshot>) => {
    if (get().pending[key]) return;
    set({ error: null });
    try {
      accept(await whilePending(set, key, label, action));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // While the app does not answer, the connection banner says so (not one error per action).
      if (isConnected()) set({ error: message });
      void api.snapshot().then(
        (next) => {
          accept(next);
          // A row that shows this very error (its last error) says it already: not twice.
          if (get().error === message && next.services.some((s) => sameError(s.lastError, message)))
            set({ error: null });
        },
        () => undefined,
      );
    }
  };
  return {
    snapshot: null,
    usage: null,
    pending: {},
    error: null,
    init() {
      const off = api.onServicesChanged(accept);
      const offUsage = api.onServicesUsage((usage) => set({ usage }));
      api.snapshot().then(accept, (e: Error) => set({ error: e.message }));
      return () => {
        off();
        offUsage();
      };
    },
    startStack: () => run('stack:start', 'Starting…', api.startStack),
    // Its own key: Stop all cancels a Start all still waiting for a slow service.
    stopStack: () => run('stack:stop', 'Stopping…', api.stopStack),
    start: (name) => run(`service:${name}`, 'Starting…', () => api.startService(name)),
    startWith: (name, dependents) =>
      run(`service:${name}`, 'Starting…', async () => {
        let last = await api.startService(name);
        // Each dependent starts its dependencies first; `name` is up by now, so it is joined.
        for (const d of dependents) last = await api.startService(d);
        return last;
      }),
    // Own key: Stop and Restart cancel a start still in flight (its request waits for readiness).
    stop: (name) => run(`service:${name}:stop`, 'Stopping…', () => api.stopService(name)),
    restart: (name) => run(`service:${name}:stop`, 'Restarting…', () => api.restartService(name)),
    reload: () => run('stack:reload', 'Reloading…', api.reloadStack),
    retryAudit: () => run('stack:retry', 'Retrying…', api.auditRetry),
    dismissError: () => set({ error: null }),
    resync() {
      api.snapshot().then(
        (next) => {
          accept(next);
          if (get().error) set({ error: null });
        },
        () => undefined,
      );
    },
  };
});
