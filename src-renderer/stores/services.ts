import { create } from 'zustand';
import { api } from '../api/client';
import { whilePending } from './pending';
import type { StackSnapshot, UsageReport } from '../../src-shared/model/service';

/** A key for an in-flight action: the whole stack or one service. */
export type PendingKey = 'stack' | `service:${string}`;

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
  stop(name: string): Promise<void>;
  restart(name: string): Promise<void>;
  reload(): Promise<void>;
  /** The audit journal could not be written: try again, then start the held services. */
  retryAudit(): Promise<void>;
  dismissError(): void;
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
      set({ error: error instanceof Error ? error.message : String(error) });
      void api.snapshot().then(accept, () => undefined);
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
    startStack: () => run('stack', 'Starting…', api.startStack),
    stopStack: () => run('stack', 'Stopping…', api.stopStack),
    start: (name) => run(`service:${name}`, 'Starting…', () => api.startService(name)),
    // Own key: Stop and Restart cancel a start still in flight (its request waits for readiness).
    stop: (name) => run(`service:${name}:stop`, 'Stopping…', () => api.stopService(name)),
    restart: (name) => run(`service:${name}:stop`, 'Restarting…', () => api.restartService(name)),
    reload: () => run('stack', 'Reloading…', api.reloadStack),
    retryAudit: () => run('stack', 'Retrying…', api.auditRetry),
    dismissError: () => set({ error: null }),
  };
});
