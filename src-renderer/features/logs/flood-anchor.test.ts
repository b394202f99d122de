import { describe, expect, it } from 'vitest';
import { Virtualizer, type VirtualizerOptions } from '@tanstack/react-virtual';
import type { LogLine } from '../../../src-shared/model/log';
import { LineBuffer } from '../../stores/log-buffer';
import { listOptions, ROW_HEIGHT, type ListRows } from './list-options';
import { VisibleIndex, type LineFilter } from './visible-index';

const ALL: LineFilter = {
  key: 'all',
  levels: new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'none']),
  streams: new Set(['stdout', 'stderr', 'system']),
};

let seq = 1;
const lines = (n: number, text = (s: number) => `tick ${s}`): LogLine[] =>
  Array.from({ length: n }, () => {
    const s = seq++;
    return {
      seq: s,
      service: 'flooder',
      stream: 'stdout',
      time: s,
      level: 'info',
      text: text(s),
      truncated: false,
    };
  });

/**
 * The real virtualizer core with the list's own options over a stand-in scroll element: a
 * 180 px viewport (10 rows) whose scrollTop is what the virtualizer writes.
 */
function mountList(rows: ListRows, follow: boolean) {
  const el = { scrollTop: 0 };
  let report: ((offset: number, isScrolling: boolean) => void) | null = null;
  const fixed: Partial<VirtualizerOptions<Element, Element>> = {
    getScrollElement: () => el as unknown as Element,
    observeElementRect: (_v, cb) => {
      cb({ width: 800, height: 10 * ROW_HEIGHT });
      return () => {};
    },
    observeElementOffset: (_v, cb) => {
      report = cb;
      cb(el.scrollTop, false);
      return () => {};
    },
    scrollToFn: (offset) => {
      el.scrollTop = offset;
      report?.(offset, false); // the scroll event the browser would send
    },
  };
  const options = () =>
    ({ ...listOptions(rows, follow), ...fixed }) as VirtualizerOptions<Element, Element>;
  const v = new Virtualizer(options());
  v._willUpdate();
  return {
    el,
    /** A user scroll to `px` (what a wheel does). */
    scrollTo(px: number) {
      el.scrollTop = px;
      report!(px, false);
    },
    /** What a render after a batch does: new options, then the layout effect. */
    rerender() {
      v.setOptions(options());
      v._willUpdate();
    },
    /** Key (line id) of the row under the top edge of the viewport. */
    topKey(): number {
      const top = v.scrollOffset ?? 0;
      return Number(v.getVirtualItems().find((item) => item.end > top)!.key);
    },
  };
}

describe('a full ring under a flood', () => {
  const ring = () => {
    const buffer = new LineBuffer(1000);
    const index = new VisibleIndex();
    buffer.push(lines(1000));
    index.update(buffer, ALL, '');
    return { buffer, index };
  };

  it('paused: the line at the top stays at the top while 120 lines leave the front (scroll offset moves up by their height)', () => {
    const { buffer, index } = ring();
    const list = mountList(index, false);
    list.scrollTo(500 * ROW_HEIGHT + 7); // 7 px into row 500
    const top = list.topKey();
    expect(top).toBe(index.idAt(500));

    buffer.push(lines(120)); // cap 1000: the oldest 120 leave
    index.update(buffer, ALL, '');
    list.rerender();

    expect(buffer.evicted).toBe(120);
    expect(index.count).toBe(1000); // same row count: only the keys tell the lines apart
    expect(list.topKey()).toBe(top);
    expect(list.el.scrollTop).toBe((500 - 120) * ROW_HEIGHT + 7);

    // Batch after batch, the same line stays at the same pixel.
    for (let i = 0; i < 5; i++) {
      buffer.push(lines(33));
      index.update(buffer, ALL, '');
      list.rerender();
    }
    expect(buffer.evicted).toBe(120 + 5 * 33);
    expect(list.topKey()).toBe(top);
    expect(list.el.scrollTop).toBe((500 - 120 - 5 * 33) * ROW_HEIGHT + 7);
  });

  it('following (no anchor) the same offset shows newer lines: the slide the anchor prevents', () => {
    const { buffer, index } = ring();
    const list = mountList(index, true);
    list.scrollTo(500 * ROW_HEIGHT);
    const top = list.topKey();
    buffer.push(lines(120));
    index.update(buffer, ALL, '');
    list.rerender();
    expect(list.topKey()).toBe(top + 120);
  });

  it('a row keeps its line identity: rowOf(id) moves down by the evicted count, and evicted ids resolve to no row', () => {
    const { buffer, index } = ring();
    const id = index.idAt(700);
    const gone = index.idAt(10);
    buffer.push(lines(250));
    index.update(buffer, ALL, '');
    expect(index.rowOf(id)).toBe(450);
    expect(index.lineAt(450).seq).toBe(buffer.at(id).seq);
    expect(index.rowOf(gone)).toBe(-1);
    expect(gone).toBeLessThan(index.firstId);
  });

  it('the evicted count only grows with what the cap dropped, and a new buffer (Clear view) starts at 0', () => {
    const buffer = new LineBuffer(100);
    buffer.push(lines(60));
    expect(buffer.evicted).toBe(0);
    buffer.push(lines(60));
    expect(buffer.evicted).toBe(20);
    for (let i = 0; i < 40; i++) buffer.push(lines(7)); // crosses the compaction point
    expect(buffer.evicted).toBe(20 + 280);
    expect(buffer.size).toBe(100);
    expect(buffer.at(buffer.first).seq).toBe(buffer.toArray()[0]!.seq);
    expect(new LineBuffer(100).evicted).toBe(0);
  });
});
