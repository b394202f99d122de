import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../../src-shared/model/log';
import { LineBuffer } from '../../stores/log-buffer';
import { VisibleIndex, type LineFilter } from './visible-index';
import { nearestMatch, stepMatch } from './search-step';

const ALL: LineFilter = {
  key: 'all',
  levels: new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'none']),
  streams: new Set(['stdout', 'stderr', 'system']),
};

let seq = 1;
/** Flood-like lines: every 10th says "failure". */
const lines = (n: number): LogLine[] =>
  Array.from({ length: n }, () => {
    const s = seq++;
    const text = s % 10 === 0 ? `failure ${s}` : `tick ${s}`;
    return {
      seq: s,
      service: 'f',
      stream: 'stdout',
      time: s,
      level: 'info',
      text,
      truncated: false,
    };
  });

function flood() {
  seq = 1;
  const buffer = new LineBuffer(100);
  const index = new VisibleIndex();
  buffer.push(lines(100)); // seq 1..100 at ids 0..99; matches at ids 9, 19, … 99
  index.update(buffer, ALL, 'failure');
  const grow = (n: number) => {
    buffer.push(lines(n));
    index.update(buffer, ALL, 'failure');
  };
  const text = (id: number) => buffer.at(id).text;
  return { buffer, index, grow, text };
}

describe('search by line identity', () => {
  it('Next and Previous step through matches by rank while the current one exists, wrapping', () => {
    const { index, text } = flood();
    expect(index.matchCount).toBe(10);
    const first = stepMatch(index, null, 1, 0)!;
    expect(text(first.id)).toBe('failure 10');
    const second = stepMatch(index, first.id, 1, 0)!;
    expect(text(second.id)).toBe('failure 20');
    expect(second.left).toBe(false);
    expect(text(stepMatch(index, first.id, -1, 0)!.id)).toBe('failure 100');
  });

  it('Next from a match that is still held goes to the next line after it, however many rows shifted in between', () => {
    const { index, grow, text } = flood();
    const current = index.matchAt(5); // "failure 60"
    grow(35); // 35 lines leave the front: every row index moved by 35
    const next = stepMatch(index, current, 1, null)!;
    expect(text(next.id)).toBe('failure 70');
    expect(next.left).toBe(false);
  });

  it('when the current match has left the ring, Next says so and goes to the first match at or below the top of the view', () => {
    const { buffer, index, grow, text } = flood();
    const current = index.matchAt(0); // "failure 10", id 9
    grow(45); // ids 0..44 leave: seq 46..145 held
    expect(current).toBeLessThan(buffer.first);
    expect(index.matchRank(current)).toBe(-1);
    const top = index.idAt(30); // the view's top row is "tick 76"
    const next = stepMatch(index, current, 1, top)!;
    expect(next.left).toBe(true);
    expect(text(next.id)).toBe('failure 80');
    const previous = stepMatch(index, current, -1, top)!;
    expect(previous.left).toBe(true);
    expect(text(previous.id)).toBe('failure 70');
    // Without a known view top, Next starts at the oldest line still held.
    expect(text(stepMatch(index, current, 1, null)!.id)).toBe('failure 50');
    // A view top older than the ring (the list has not re-rendered yet) counts as the oldest line.
    expect(text(stepMatch(index, current, 1, 0)!.id)).toBe('failure 50');
  });

  it('at the end of the matches, Next wraps to the first one still held', () => {
    const { index, grow, text } = flood();
    grow(45);
    const last = index.matchAt(index.matchCount - 1);
    expect(text(last)).toBe('failure 140');
    expect(text(stepMatch(index, last, 1, null)!.id)).toBe('failure 50');
  });

  it('a new query selects the match nearest the view: at or below its top, else the last one', () => {
    const { index, text } = flood();
    expect(text(nearestMatch(index, index.idAt(42))!)).toBe('failure 50');
    expect(text(nearestMatch(index, index.idAt(95))!)).toBe('failure 100');
    expect(text(nearestMatch(index, null)!)).toBe('failure 10');
    const empty = new VisibleIndex();
    empty.update(new LineBuffer(10), ALL, 'failure');
    expect(nearestMatch(empty, 0)).toBeNull();
    expect(stepMatch(empty, null, 1, 0)).toBeNull();
  });
});
