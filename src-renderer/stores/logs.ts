import { create } from 'zustand';
import { api } from '../api/client';
import type { LogLine } from '../../src-shared/model/log';
import { LineBuffer, LOG_VIEW_CAP } from './log-buffer';

/** The key of the merged "All" view; every other view key is a service name. */
export const ALL_VIEW = '*';
/** How many lines a view reads back from main when it is first shown. */
const TAIL_LIMIT = 10_000;

/** What "Clear view" remembers so that re-reading the tail does not bring cleared lines back. */
interface Cut {
  /** Lines stamped at or before this (epoch ms, same clock as main) were cleared. */
  time: number;
  /** Highest seq per service that was in the view when it was cleared. */
  seq: Record<string, number>;
}

/** One view: a buffer mutated in place plus the counters components re-render on. */
export interface LogView {
  buffer: LineBuffer;
  /** Bumped on every change to `buffer` (the buffer itself keeps its identity until cleared). */
  version: number;
  /** Lines the live feed skipped while this view was receiving (from the event's `skipped`). */
  skipped: number;
  cut: Cut | null;
  /**
   * Highest live seq (one counter for all services in main) held in this view: a tail read can
   * hold lines whose live batch has not arrived yet, so live lines at or below it are dropped.
   */
  lastSeq: number;
}

interface FolderStatus {
  path: string;
  opened: boolean;
}

interface LogsState {
  views: Record<string, LogView>;
  error: string | null;
  folder: FolderStatus | null;
  init(): () => void;
  /** Reads the tail for a view once (the first time it is shown); later lines come live. */
  ensureLoaded(view: string): void;
  /** Reads the tail of every view read so far again (after a reconnect), merged without repeats. */
  resync(): void;
  clearView(view: string): void;
  openFolder(): Promise<void>;
}

const emptyView = (): LogView => ({
  buffer: new LineBuffer(),
  version: 0,
  skipped: 0,
  cut: null,
  lastSeq: 0,
});
const isCut = (cut: Cut | null, line: LogLine): boolean =>
  cut !== null &&
  (line.time <= cut.time || (line.seq > 0 && line.seq <= (cut.seq[line.service] ?? 0)));
const lineKey = (l: LogLine) => `${l.service}\u0000${l.seq}\u0000${l.time}`;

/**
 * Live lines held back for at most this long when no animation frame comes (a hidden window
 * gets none), so a view shown later is never staler than this.
 */
const HOLD_MS = 100;

/** Logs store: per-service views and the merged "All" view, each capped at 100,000 lines. */
export const useLogs = create<LogsState>((set, get) => {
  const requested = new Set<string>();
  // Live batches wait here until the next frame and go in as one: under a flood several
  // `logs:lines` events arrive per frame (more on a busy machine), and each store change costs a
  // render and a layout, so one per frame is all the screen can show anyway. Bounded: past one
  // view's worth of lines they go in at once.
  let queued: (readonly LogLine[])[] = [];
  let queuedLines = 0;
  let queuedSkipped = 0;
  let frame: number | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const flush = (): void => {
    if (frame !== null) cancelAnimationFrame(frame);
    if (timer !== null) clearTimeout(timer);
    frame = timer = null;
    if (queued.length === 0 && queuedSkipped === 0) return;
    const lines = queued.length === 1 ? queued[0]! : queued.flat();
    const skipped = queuedSkipped;
    queued = [];
    queuedLines = queuedSkipped = 0;
    append(lines, skipped);
  };

  const enqueue = (lines: readonly LogLine[], skipped: number): void => {
    queued.push(lines);
    queuedLines += lines.length;
    queuedSkipped += skipped;
    if (queuedLines >= LOG_VIEW_CAP) return flush();
    if (timer === null) timer = setTimeout(flush, HOLD_MS);
    if (frame === null && typeof requestAnimationFrame === 'function')
      frame = requestAnimationFrame(flush);
  };

  const append = (lines: readonly LogLine[], skipped: number): void => {
    const views = { ...get().views };
    const touched = new Map<string, LogLine[]>();
    for (const line of lines) {
      for (const key of [ALL_VIEW, line.service]) {
        const view = views[key] ?? (views[key] = emptyView());
        if (isCut(view.cut, line) || (line.seq > 0 && line.seq <= view.lastSeq)) continue;
        let bucket = touched.get(key);
        if (!bucket) touched.set(key, (bucket = []));
        bucket.push(line);
      }
    }
    // The event does not say which service the skipped lines came from: count them on "All" and
    // on the services in this batch (the ones flooding, so the likely source).
    if (skipped > 0)
      for (const key of [ALL_VIEW, ...new Set(lines.map((l) => l.service))]) {
        if (!touched.has(key)) touched.set(key, []);
      }
    if (touched.size === 0) return;
    for (const [key, bucket] of touched) {
      const view = views[key]!;
      view.buffer.push(bucket);
      const lastSeq = bucket.reduce((m, l) => Math.max(m, l.seq), view.lastSeq);
      views[key] = { ...view, version: view.version + 1, skipped: view.skipped + skipped, lastSeq };
    }
    set({ views });
  };

  const load = async (key: string): Promise<void> => {
    try {
      const { lines } = await api.logsTail(key === ALL_VIEW ? null : key, TAIL_LIMIT);
      flush(); // So the merge below sees every live line that came before the tail.
      const view = get().views[key] ?? emptyView();
      const held = view.buffer.toArray();
      const seen = new Set(held.map(lineKey));
      const fresh = lines.filter((l) => !seen.has(lineKey(l)) && !isCut(view.cut, l));
      if (fresh.length === 0 && get().views[key]) return;
      // Lines of earlier runs (seq <= 0, already in order) go first; this run's lines from the
      // tail and from live batches interleave, so they are put in capture order (seq).
      const earlier = fresh.filter((l) => l.seq <= 0);
      const live = [...fresh.filter((l) => l.seq > 0), ...held.filter((l) => l.seq > 0)].sort(
        (a, b) => a.seq - b.seq,
      );
      const buffer = new LineBuffer();
      buffer.push([...earlier, ...held.filter((l) => l.seq <= 0), ...live]);
      set((s) => ({
        views: {
          ...s.views,
          [key]: {
            ...view,
            buffer,
            version: view.version + 1,
            lastSeq: fresh.reduce((m, l) => Math.max(m, l.seq), view.lastSeq),
          },
        },
      }));
    } catch (error) {
      requested.delete(key);
      set({ error: error instanceof Error ? error.message : String(error) });
    }
  };

  return {
    views: { [ALL_VIEW]: emptyView() },
    error: null,
    folder: null,
    init() {
      const off = api.onLogLines((batch) => enqueue(batch.lines, batch.skipped));
      get().ensureLoaded(ALL_VIEW);
      return () => {
        off();
        flush();
      };
    },
    ensureLoaded(key) {
      if (requested.has(key)) return;
      requested.add(key);
      void load(key);
    },
    resync() {
      for (const key of requested) void load(key);
    },
    clearView(key) {
      flush(); // Lines that came before the click are cleared with the rest.
      const view = get().views[key] ?? emptyView();
      const seq: Record<string, number> = { ...view.cut?.seq };
      for (const line of view.buffer.toArray())
        seq[line.service] = Math.max(seq[line.service] ?? 0, line.seq);
      const cut = { time: Date.now(), seq };
      set((s) => ({
        views: {
          ...s.views,
          [key]: {
            buffer: new LineBuffer(),
            version: view.version + 1,
            skipped: 0,
            cut,
            lastSeq: view.lastSeq,
          },
        },
      }));
    },
    async openFolder() {
      try {
        set({ folder: await api.openLogFolder(), error: null });
      } catch (error) {
        set({ error: error instanceof Error ? error.message : String(error) });
      }
    },
  };
});
