import { create } from 'zustand';
import { api } from '../api/client';
import type { AuditEntry, VerifyResult } from '../../src-shared/model/audit';
import { EMPTY_FILTER, listArgs, matchesFilter, type AuditFilter } from './audit-filter';

/** How many entries one query reads back from main (newest first). */
export const AUDIT_LIMIT = 10_000;
/** Live entries are prepended; beyond this many held, the oldest are dropped from the view. */
const MAX_HELD = 50_000;

interface AuditState {
  /** Newest first, as main lists them. */
  entries: AuditEntry[];
  /** How many entries match the filter in the journal (may exceed `entries.length`). */
  total: number;
  filter: AuditFilter;
  loading: boolean;
  loaded: boolean;
  error: string | null;
  selected: AuditEntry | null;
  verifying: boolean;
  verify: VerifyResult | null;
  verifyError: string | null;
  /** Subscribes to `audit:appended` and reads the journal once (the first time the view shows). */
  ensureLoaded(): void;
  /** Changes the filter and re-queries main. */
  setFilter(change: Partial<AuditFilter>): void;
  select(entry: AuditEntry | null): void;
  runVerify(): Promise<void>;
  /** Reads the journal again if it was read (after a reconnect: entries may have been missed). */
  resync(): void;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Audit store: the journal entries the view lists, its filter, selection and verify result. */
export const useAudit = create<AuditState>((set, get) => {
  let subscribed = false;
  /** Ignores answers to queries that a newer filter has replaced. */
  let query = 0;
  /** Live entries that arrived while a query was in flight. */
  let pending: AuditEntry[] = [];

  const prepend = (live: readonly AuditEntry[]): void => {
    const { entries, filter, total } = get();
    const top = entries[0]?.seq ?? 0;
    const fresh = live
      .filter((e) => e.seq > top && matchesFilter(e, filter))
      .sort((a, b) => b.seq - a.seq);
    if (fresh.length === 0) return;
    const next = [...fresh, ...entries];
    if (next.length > MAX_HELD) next.length = MAX_HELD;
    set({ entries: next, total: total + fresh.length });
  };

  const load = async (): Promise<void> => {
    const mine = ++query;
    pending = [];
    set({ loading: true, error: null });
    try {
      const { entries, total } = await api.auditList(listArgs(get().filter, AUDIT_LIMIT));
      if (mine !== query) return;
      const selected = get().selected;
      set({
        entries,
        total,
        loading: false,
        loaded: true,
        selected: selected && entries.some((e) => e.seq === selected.seq) ? selected : null,
      });
      prepend(pending);
      pending = [];
    } catch (e) {
      if (mine !== query) return;
      set({
        loading: false,
        error: `Could not read the audit journal: ${message(e)}`,
      });
    }
  };

  return {
    entries: [],
    total: 0,
    filter: EMPTY_FILTER,
    loading: false,
    loaded: false,
    error: null,
    selected: null,
    verifying: false,
    verify: null,
    verifyError: null,
    ensureLoaded() {
      if (!subscribed) {
        subscribed = true;
        // Kept for the app's lifetime: the view keeps its list current while hidden.
        api.onAuditAppended((entry) => {
          if (get().loading) pending.push(entry);
          else if (get().loaded) prepend([entry]);
        });
      }
      if (!get().loaded && !get().loading) void load();
    },
    setFilter(change) {
      set({ filter: { ...get().filter, ...change } });
      void load();
    },
    select: (selected) => set({ selected }),
    resync() {
      if (get().loaded) void load();
    },
    async runVerify() {
      set({ verifying: true, verify: null, verifyError: null });
      try {
        set({ verify: await api.auditVerify(), verifying: false });
      } catch (e) {
        set({ verifyError: `Could not verify the journal: ${message(e)}`, verifying: false });
      }
    },
  };
});
