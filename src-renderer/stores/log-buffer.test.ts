import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../src-shared/model/log';
import { LineBuffer, LOG_VIEW_CAP } from './log-buffer';

function lines(from: number, count: number): LogLine[] {
  return Array.from({ length: count }, (_, i) => ({
    seq: from + i,
    service: 's',
    stream: 'stdout' as const,
    time: 0,
    level: null,
    text: `line ${from + i}`,
    truncated: false,
  }));
}

describe('LineBuffer', () => {
  it('starts empty with the default cap', () => {
    const b = new LineBuffer();
    expect(b.cap).toBe(LOG_VIEW_CAP);
    expect(LOG_VIEW_CAP).toBe(100_000);
    expect(b.size).toBe(0);
    expect(b.first).toBe(0);
    expect(b.end).toBe(0);
    expect(b.toArray()).toEqual([]);
  });

  it('appends in order and addresses lines by absolute id', () => {
    const b = new LineBuffer(10);
    b.push(lines(0, 3));
    b.push([]);
    b.push(lines(3, 2));
    expect(b.size).toBe(5);
    expect([b.first, b.end]).toEqual([0, 5]);
    expect(b.toArray().map((l) => l.seq)).toEqual([0, 1, 2, 3, 4]);
    for (let id = 0; id < 5; id++) expect(b.at(id).seq).toBe(id);
  });

  it('drops the oldest lines beyond the cap, keeping ids stable', () => {
    const b = new LineBuffer(8);
    for (let i = 0; i < 25; i++) b.push(lines(i, 1)); // passes cap/4 several times: compaction
    expect(b.size).toBe(8);
    expect([b.first, b.end]).toEqual([17, 25]);
    for (let id = b.first; id < b.end; id++) expect(b.at(id).seq).toBe(id);
    expect(b.toArray().map((l) => l.seq)).toEqual([17, 18, 19, 20, 21, 22, 23, 24]);
  });

  it('handles one batch larger than the cap', () => {
    const b = new LineBuffer(4);
    b.push(lines(0, 2));
    b.push(lines(2, 10));
    expect([b.first, b.end, b.size]).toEqual([8, 12, 4]);
    expect(b.toArray().map((l) => l.seq)).toEqual([8, 9, 10, 11]);
    expect(b.at(8).seq).toBe(8);
    expect(b.at(11).seq).toBe(11);
  });

  it('toArray returns a copy', () => {
    const b = new LineBuffer(4);
    b.push(lines(0, 2));
    const arr = b.toArray();
    arr.pop();
    expect(b.size).toBe(2);
    expect(b.toArray()).toHaveLength(2);
  });

  it('caps at 100,000 by default, dropping the oldest', () => {
    const b = new LineBuffer();
    const batch = 7_000;
    for (let i = 0; i < 130_000; i += batch) b.push(lines(i, Math.min(batch, 130_000 - i)));
    expect(b.size).toBe(100_000);
    expect([b.first, b.end]).toEqual([30_000, 130_000]);
    expect(b.at(30_000).seq).toBe(30_000);
    expect(b.at(129_999).seq).toBe(129_999);
    expect(b.at(77_777).text).toBe('line 77777');
    const arr = b.toArray();
    expect(arr[0]!.seq).toBe(30_000);
    expect(arr[arr.length - 1]!.seq).toBe(129_999);
  });
});
