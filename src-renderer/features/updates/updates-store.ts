import { create } from 'zustand';
import type { UpdateStatus } from '../../../src-shared/model/updates';
import { api } from '../../api/client';

/** The window's view of the app's own update. */
interface UpdatesState {
  status: UpdateStatus | null;
  /** "Later" hides the notice for this version until the window reloads. */
  laterFor: string | null;
  /** The rollback notice was read and closed. */
  rollbackClosed: boolean;
  busy: 'check' | 'install' | null;
  /** The last refusal or failure of an action, as main wrote it (advice). */
  actionError: string | null;
  /** Read the status and follow `updates:changed`; returns the unsubscribe. */
  init(): () => void;
  check(): Promise<void>;
  install(): Promise<void>;
  later(): void;
  closeRollback(): void;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** One store for the banner and Settings → Updates. */
export const useUpdates = create<UpdatesState>((set, get) => ({
  status: null,
  laterFor: null,
  rollbackClosed: false,
  busy: null,
  actionError: null,
  init() {
    const off = api.onUpdatesChanged((status) => set({ status }));
    api.updatesStatus().then(
      (status) => set({ status }),
      (error: unknown) => set({ actionError: message(error) }),
    );
    return off;
  },
  async check() {
    set({ busy: 'check', actionError: null });
    try {
      set({ status: await api.checkForUpdates() });
    } catch (error) {
      set({ actionError: message(error) });
    } finally {
      set({ busy: null });
    }
  },
  async install() {
    if (get().busy) return;
    set({ busy: 'install', actionError: null });
    try {
      set({ status: await api.installUpdate() });
    } catch (error) {
      set({ actionError: message(error) });
    } finally {
      set({ busy: null });
    }
  },
  later() {
    set({ laterFor: get().status?.version ?? null, actionError: null });
  },
  closeRollback() {
    set({ rollbackClosed: true });
  },
}));
