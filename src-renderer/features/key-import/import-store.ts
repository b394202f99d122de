import { create } from 'zustand';
import { api } from '../../api/client';
import type { ImportOutcome, ImportScan } from '../../../src-shared/model/key-import';

interface ImportState {
  open: boolean;
  /** The last scan (names, files, lines, fingerprints: never a value). */
  scan: ImportScan | null;
  busy: 'scan' | 'import' | null;
  error: string | null;
  outcomes: ImportOutcome[] | null;
  /** Opens the dialog and scans ~/.stigmer/config.yaml (and the .env, when given). */
  openDialog(): void;
  close(): void;
  rescan(envFile: string): Promise<void>;
  /** Desktop app: the native file dialog picks the .env; its path comes back in `sources`. */
  pick(): Promise<void>;
  importKeys(ids: string[], removeFromFile: boolean): Promise<void>;
  /** At start: the first automatic scan of this install opens the dialog when it found keys. */
  offerOnFirstRun(): void;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The import dialog's state; the only caller of the import channels. */
export const useKeyImport = create<ImportState>((set, get) => ({
  open: false,
  scan: null,
  busy: null,
  error: null,
  outcomes: null,
  openDialog() {
    set({ open: true, outcomes: null, error: null });
    void get().rescan('');
  },
  close() {
    set({ open: false, scan: null, outcomes: null, error: null, busy: null });
  },
  async rescan(envFile) {
    set({ busy: 'scan', error: null, outcomes: null });
    try {
      const scan = await api.scanImport(envFile.trim() ? { envFile: envFile.trim() } : {});
      set({ scan, busy: null });
    } catch (e) {
      set({ busy: null, error: message(e) });
    }
  },
  async pick() {
    set({ busy: 'scan', error: null, outcomes: null });
    try {
      const scan = await api.scanImport({ pick: true });
      set({ scan, busy: null });
    } catch (e) {
      set({ busy: null, error: message(e) });
    }
  },
  async importKeys(ids, removeFromFile) {
    set({ busy: 'import', error: null });
    try {
      const result = await api.importKeys(ids, removeFromFile);
      set({ outcomes: result.outcomes, busy: null });
    } catch (e) {
      set({ busy: null, error: message(e) });
    }
  },
  offerOnFirstRun() {
    api.scanImport({ auto: true }).then(
      (scan) => {
        if (scan.firstRun && scan.candidates.length > 0 && !get().open) set({ open: true, scan });
      },
      () => undefined, // the Keys view still offers it; a failed look at start is not worth a dialog
    );
  },
}));
