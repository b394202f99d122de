import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApi } from '../../src-shared/ipc/api';
import type { LogLine } from '../../src-shared/model/log';
import { ALL_VIEW, useLogs } from './logs';
import { LOG_VIEW_CAP } from './log-buffer';

/** A main process stand-in behind the real contract-built API: an empty tail and live events. */
function fakeMain() {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const api = buildApi({
    async invoke(channel) {
      if (channel === 'logs:tail') return { ok: true, value: { lines: [] } };
      return { ok: false, error: { code: 'failed', message: `unexpected ${channel}` } };
    },
    subscribe(channel, listener) {
      const set = listeners.get(channel) ?? new Set();
      listeners.set(channel, set);
      set.add(listener);
      return () => set.delete(listener);
    },
  });
  const emit = (lines: LogLine[], skipped = 0) => {
    for (const l of listeners.get('logs:lines') ?? []) l({ lines, skipped });
  };
  return { api, emit };
}

/** Animation frames that run only when the test says so (as in a window between paints). */
function manualFrames() {
  const callbacks = new Map<number, FrameRequestCallback>();
  let next = 1;
  const g = globalThis as Record<string, unknown>;
  g.requestAnimationFrame = (cb: FrameRequestCallback) => (callbacks.set(next, cb), next++);
  g.cancelAnimationFrame = (id: number) => callbacks.delete(id);
  return {
    pending: () => callbacks.size,
    run() {
      const due = [...callbacks.values()];
      callbacks.clear();
      for (const cb of due) cb(0);
    },
    remove() {
      delete g.requestAnimationFrame;
      delete g.cancelAnimationFrame;
    },
  };
}

let seq = 1;
// Stamped in the future, so that only the seq cut can clear them: a queued line that Clear view
// did not see would come back.
const lines = (n: number, service = 'flooder'): LogLine[] =>
  Array.from({ length: n }, () => {
    const s = seq++;
    const time = 1e13 + s;
    return {
      seq: s,
      service,
      stream: 'stdout',
      time,
      level: 'info',
      text: `tick ${s}`,
      truncated: false,
    };
  });
const held = (view: string) => useLogs.getState().views[view]?.buffer.toArray() ?? [];
const settle = () => new Promise((r) => setTimeout(r, 0));

let main: ReturnType<typeof fakeMain>;
let frames: ReturnType<typeof manualFrames>;
let stop: () => void;
let changes: number;
let unsubscribe: () => void;

beforeEach(async () => {
  main = fakeMain();
  (globalThis as { window?: unknown }).window = { stigmer: main.api };
  frames = manualFrames();
  useLogs.setState({ views: {}, error: null });
  stop = useLogs.getState().init();
  await settle(); // The first view's tail read.
  changes = 0;
  unsubscribe = useLogs.subscribe(() => changes++);
});
afterEach(() => {
  unsubscribe();
  stop();
  frames.remove();
});

describe('logs store under a flood', () => {
  it('takes the batches of one frame in as one store change, in order, skipped summed', () => {
    const a = lines(3);
    const b = lines(2, 'other');
    const c = lines(4);
    main.emit(a, 5);
    main.emit(b);
    main.emit(c, 7);
    expect(changes).toBe(0);
    expect(held(ALL_VIEW)).toEqual([]);
    expect(frames.pending()).toBe(1);

    frames.run();
    expect(changes).toBe(1);
    expect(held(ALL_VIEW)).toEqual([...a, ...b, ...c]);
    expect(held('flooder')).toEqual([...a, ...c]);
    expect(held('other')).toEqual(b);
    expect(useLogs.getState().views[ALL_VIEW]!.skipped).toBe(12);
  });

  it('puts a view-full of queued lines in at once, without waiting for a frame', () => {
    main.emit(lines(LOG_VIEW_CAP - 10));
    expect(changes).toBe(0);
    main.emit(lines(10));
    expect(changes).toBe(1);
    expect(useLogs.getState().views[ALL_VIEW]!.buffer.size).toBe(LOG_VIEW_CAP);
    frames.run(); // The frame asked for earlier finds nothing left to do.
    expect(changes).toBe(1);
  });

  it('clears the lines that came before Clear view even when their frame had not come yet', () => {
    main.emit(lines(5));
    useLogs.getState().clearView(ALL_VIEW);
    frames.run();
    expect(held(ALL_VIEW)).toEqual([]);
    const after = lines(2);
    main.emit(after);
    frames.run();
    expect(held(ALL_VIEW)).toEqual(after);
  });

  it('shows lines without any animation frame (a hidden window gets none)', async () => {
    frames.remove();
    const a = lines(3);
    main.emit(a);
    expect(held(ALL_VIEW)).toEqual([]);
    await new Promise((r) => setTimeout(r, 150));
    expect(held(ALL_VIEW)).toEqual(a);
  });

  it('puts queued lines in when the subscription stops', () => {
    const a = lines(2);
    main.emit(a);
    stop();
    expect(held(ALL_VIEW)).toEqual(a);
    stop = () => {};
  });
});
