import { describe, expect, it, vi } from 'vitest';
import { LOG_LEVELS, type LogLine } from '../../../src-shared/model/log';
import { LineBuffer } from '../../stores/log-buffer';
import { VisibleIndex, type LevelKey, type LineFilter } from './visible-index';

let seq = 0;
function line(text: string, over: Partial<LogLine> = {}): LogLine {
  return {
    seq: seq++,
    service: 'svc',
    stream: 'stdout',
    time: 0,
    level: 'info',
    text,
    truncated: false,
    ...over,
  };
}

const ALL_LEVELS: LevelKey[] = [...LOG_LEVELS, 'none'];

function filter(
  levels: LevelKey[] = ALL_LEVELS,
  streams: LogLine['stream'][] = ['stdout', 'stderr'],
): LineFilter {
  return {
    key: `${levels.join(',')}|${streams.join(',')}`,
    levels: new Set(levels),
    streams: new Set(streams),
  };
}

function visibleTexts(ix: VisibleIndex): string[] {
  return ix.lines().map((l) => l.text);
}

function matchIds(ix: VisibleIndex): number[] {
  return Array.from({ length: ix.matchCount }, (_, k) => ix.matchAt(k));
}

describe('VisibleIndex', () => {
  it('shows every line with an open filter and no query', () => {
    const b = new LineBuffer(100);
    b.push([line('a'), line('b', { level: null }), line('c', { stream: 'stderr' })]);
    const ix = new VisibleIndex();
    ix.update(b, filter(), '');
    expect(ix.count).toBe(3);
    expect(visibleTexts(ix)).toEqual(['a', 'b', 'c']);
    expect(ix.matchCount).toBe(0);
    expect([ix.idAt(0), ix.idAt(2)]).toEqual([0, 2]);
    expect(ix.lineAt(1).text).toBe('b');
  });

  it('filters by level, with "none" for lines without one', () => {
    const b = new LineBuffer(100);
    b.push([
      line('i', { level: 'info' }),
      line('e', { level: 'error' }),
      line('n', { level: null }),
      line('w', { level: 'warn' }),
    ]);
    const ix = new VisibleIndex();
    ix.update(b, filter(['error', 'warn']), '');
    expect(visibleTexts(ix)).toEqual(['e', 'w']);
    ix.update(b, filter(['none']), '');
    expect(visibleTexts(ix)).toEqual(['n']);
  });

  it('filters by stream', () => {
    const b = new LineBuffer(100);
    b.push([line('o1'), line('e1', { stream: 'stderr' }), line('o2')]);
    const ix = new VisibleIndex();
    ix.update(b, filter(ALL_LEVELS, ['stderr']), '');
    expect(visibleTexts(ix)).toEqual(['e1']);
    expect(ix.rowOf(1)).toBe(0);
    expect(ix.rowOf(0)).toBe(-1);
  });

  it('matches the query case-insensitively on ANSI-stripped text, among visible lines only', () => {
    const b = new LineBuffer(100);
    b.push([
      line('\x1b[31mERR\x1b[0mOR: disk full'), // 0: "ERROR" only once the escapes are gone
      line('all good'), // 1
      line('error in stderr', { stream: 'stderr' }), // 2: filtered out
      line('Another Error'), // 3
      line('\x1b[31m'), // 4: "31m" must not match the escape body
    ]);
    const ix = new VisibleIndex();
    ix.update(b, filter(ALL_LEVELS, ['stdout']), 'error');
    expect(matchIds(ix)).toEqual([0, 3]);
    ix.update(b, filter(ALL_LEVELS, ['stdout']), '31m');
    expect(ix.matchCount).toBe(0);
    ix.update(b, filter(ALL_LEVELS, ['stdout']), 'DISK');
    expect(matchIds(ix)).toEqual([0]);
  });

  it('matchRank and rowOf find ids by binary search, -1 when absent', () => {
    const b = new LineBuffer(100);
    for (let i = 0; i < 20; i++)
      b.push([line(i % 3 === 0 ? `hit ${i}` : `miss ${i}`, { level: i % 2 ? 'warn' : 'info' })]);
    const ix = new VisibleIndex();
    ix.update(b, filter(['info']), 'hit'); // even ids visible; hits at multiples of 6
    expect(ix.count).toBe(10);
    expect(matchIds(ix)).toEqual([0, 6, 12, 18]);
    expect(ix.matchRank(12)).toBe(2);
    expect(ix.matchRank(13)).toBe(-1);
    expect(ix.matchRank(3)).toBe(-1); // a hit, but not visible
    expect(ix.matchRank(100)).toBe(-1);
    expect(ix.rowOf(8)).toBe(4);
    expect(ix.rowOf(9)).toBe(-1);
    expect(ix.rowOf(-1)).toBe(-1);
    expect(ix.rowOf(20)).toBe(-1);
  });

  it('an update only scans the lines pushed since the last one', () => {
    const b = new LineBuffer(100);
    b.push([line('one'), line('two')]);
    const ix = new VisibleIndex();
    const f = filter();
    ix.update(b, f, 'o');
    expect(matchIds(ix)).toEqual([0, 1]);

    const atSpy = vi.spyOn(b, 'at');
    ix.update(b, f, 'o'); // nothing new
    expect(atSpy).not.toHaveBeenCalled();
    b.push([line('three'), line('four')]);
    ix.update(b, f, 'o');
    expect(atSpy.mock.calls.map((c) => c[0])).toEqual([2, 3]);
    expect(matchIds(ix)).toEqual([0, 1, 3]);
    expect(ix.count).toBe(4);
    atSpy.mockRestore();
  });

  it('a query change re-searches only the visible lines; a filter change rebuilds', () => {
    const b = new LineBuffer(100);
    b.push([line('apple'), line('banana', { level: 'error' }), line('cherry')]);
    const ix = new VisibleIndex();
    ix.update(b, filter(['info']), '');
    expect(visibleTexts(ix)).toEqual(['apple', 'cherry']);

    ix.update(b, filter(['info']), 'AN');
    expect(ix.matchCount).toBe(0); // banana is hidden
    ix.update(b, filter(['info']), 'e');
    expect(matchIds(ix)).toEqual([0, 2]);

    ix.update(b, filter(['info', 'error']), 'e');
    expect(visibleTexts(ix)).toEqual(['apple', 'banana', 'cherry']);
    expect(matchIds(ix)).toEqual([0, 2]);
    ix.update(b, filter(['info', 'error']), 'an');
    expect(matchIds(ix)).toEqual([1]);

    ix.update(b, filter(['info', 'error']), '');
    expect(ix.matchCount).toBe(0);
    expect(ix.count).toBe(3);
  });

  it('rebuilds when given a different buffer', () => {
    const a = new LineBuffer(100);
    a.push([line('a1'), line('a2')]);
    const b = new LineBuffer(100);
    b.push([line('b1')]);
    const ix = new VisibleIndex();
    const f = filter();
    ix.update(a, f, '');
    ix.update(b, f, '');
    expect(visibleTexts(ix)).toEqual(['b1']);
  });

  it('drops visible lines and matches that fell off the buffer, ids staying valid', () => {
    const b = new LineBuffer(4);
    b.push([line('x0'), line('y1'), line('x2'), line('y3')]);
    const ix = new VisibleIndex();
    const f = filter();
    ix.update(b, f, 'x');
    expect(matchIds(ix)).toEqual([0, 2]);

    b.push([line('x4'), line('y5'), line('x6')]); // ids 0..2 fall off
    expect(b.first).toBe(3);
    ix.update(b, f, 'x');
    expect(visibleTexts(ix)).toEqual(['y3', 'x4', 'y5', 'x6']);
    expect([ix.idAt(0), ix.idAt(3)]).toEqual([3, 6]);
    expect(matchIds(ix)).toEqual([4, 6]);
    expect(ix.matchRank(2)).toBe(-1);
    expect(ix.rowOf(0)).toBe(-1);
    expect(ix.rowOf(4)).toBe(1);
  });

  it('handles lines falling off when the query changes in the same update', () => {
    const b = new LineBuffer(4);
    b.push([line('x0'), line('y1'), line('x2'), line('y3')]);
    const ix = new VisibleIndex();
    const f = filter();
    ix.update(b, f, '');
    b.push([line('x4'), line('y5')]); // ids 0, 1 fall off (and the buffer compacts)
    ix.update(b, f, 'x');
    expect(visibleTexts(ix)).toEqual(['x2', 'y3', 'x4', 'y5']);
    expect(matchIds(ix)).toEqual([2, 4]);
  });

  it('copes with more lines falling off than were ever scanned', () => {
    const b = new LineBuffer(3);
    b.push([line('a0')]);
    const ix = new VisibleIndex();
    const f = filter();
    ix.update(b, f, 'a');
    b.push([line('a1'), line('b2'), line('a3'), line('a4'), line('b5')]);
    ix.update(b, f, 'a');
    expect(visibleTexts(ix)).toEqual(['a3', 'a4', 'b5']);
    expect(matchIds(ix)).toEqual([3, 4]);
  });

  it('stays consistent over many batches at the full cap', () => {
    const b = new LineBuffer();
    const ix = new VisibleIndex();
    const f = filter(['error']);
    const total = 180_000;
    const batch = 9_000;
    for (let start = 0; start < total; start += batch) {
      b.push(
        Array.from({ length: batch }, (_, i) => {
          const id = start + i;
          return line(id % 10 === 0 ? `needle ${id}` : `hay ${id}`, {
            level: id % 2 === 0 ? 'error' : 'info',
          });
        }),
      );
      ix.update(b, f, 'NEEDLE');
    }
    expect([b.first, b.end]).toEqual([80_000, 180_000]);
    expect(ix.count).toBe(50_000);
    expect(ix.idAt(0)).toBe(80_000);
    expect(ix.idAt(ix.count - 1)).toBe(179_998);
    expect(ix.lineAt(0).text).toBe('needle 80000');
    expect(ix.matchCount).toBe(10_000);
    expect(ix.matchAt(0)).toBe(80_000);
    expect(ix.matchAt(9_999)).toBe(179_990);
    expect(ix.matchRank(100_000)).toBe(2_000);
    expect(ix.rowOf(100_002)).toBe(10_001);
    expect(ix.rowOf(100_001)).toBe(-1);
  });
});
