import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../../src-shared/model/log';
import { exportFileName, formatLine, formatLines, shownLine, shownLines } from './export';

const line = (over: Partial<LogLine> = {}): LogLine => ({
  seq: 1,
  service: 'stigmer-server',
  stream: 'stderr',
  time: Date.UTC(2025, 0, 31, 9, 15, 2, 123),
  level: 'info',
  text: 'listening on :7234',
  truncated: false,
  ...over,
});

describe('formatLine', () => {
  it('writes `<ISO UTC time> <service> <stream> <text>`', () => {
    expect(formatLine(line())).toBe(
      '2025-01-31T09:15:02.123Z stigmer-server stderr listening on :7234',
    );
  });

  it('removes ANSI escapes and control characters from the text', () => {
    expect(
      formatLine(line({ stream: 'stdout', text: '\x1b[1;31mERROR\x1b[0m boom\r', time: 0 })),
    ).toBe('1970-01-01T00:00:00.000Z stigmer-server stdout ERROR boom');
  });

  it('keeps an empty text as a trailing space', () => {
    expect(formatLine(line({ text: '' }))).toBe('2025-01-31T09:15:02.123Z stigmer-server stderr ');
  });
});

describe('formatLines', () => {
  it('is empty for no lines', () => {
    expect(formatLines([])).toBe('');
  });

  it('joins lines with "\\n" and ends with one', () => {
    const a = line({ text: 'one' });
    const b = line({ text: '\x1b[32mtwo\x1b[0m', service: 'agent', stream: 'stdout' });
    expect(formatLines([a, b])).toBe(
      '2025-01-31T09:15:02.123Z stigmer-server stderr one\n' +
        '2025-01-31T09:15:02.123Z agent stdout two\n',
    );
  });
});

describe('exportFileName', () => {
  it('is `<view>-<timestamp>.log` without colons or dots in the timestamp', () => {
    const name = exportFileName('stigmer-server', new Date(Date.UTC(2025, 0, 31, 9, 15, 2, 123)));
    expect(name).toBe('stigmer-server-2025-01-31T09-15-02-123Z.log');
    expect(name.slice(0, -'.log'.length)).not.toMatch(/[:.]/);
  });

  it('defaults to the current time', () => {
    const before = Date.now();
    const name = exportFileName('all');
    expect(name).toMatch(/^all-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.log$/);
    const m = /^all-(\d{4}-\d\d-\d\d)T(\d\d)-(\d\d)-(\d\d)-(\d{3})Z/.exec(name)!;
    const t = Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`);
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });
});

describe('shownLines (Copy)', () => {
  const evening = new Date(2026, 10, 28, 21, 17, 39, 123).getTime();
  const sameDay = new Date(2026, 10, 28, 22, 0, 0, 0).getTime();
  const nextDay = new Date(2026, 10, 29, 9, 0, 0, 0).getTime();
  const one = line({ time: evening, text: '\x1b[32mready\x1b[0m' });

  it('leaves hidden timestamps and services out', () => {
    expect(shownLines([one], { time: false, service: false }, sameDay, 'de-DE')).toBe('ready\n');
    expect(shownLines([one], { time: false, service: true }, sameDay, 'de-DE')).toBe(
      'stigmer-server ready\n',
    );
  });

  it('writes shown times as the view does: the time today, the date too on another day', () => {
    expect(shownLines([one], { time: true, service: true }, sameDay, 'de-DE')).toBe(
      '21:17:39,123 stigmer-server ready\n',
    );
    expect(shownLine(one, { time: true, service: false }, nextDay, 'de-DE')).toBe(
      '28.11.2026, 21:17:39,123 ready',
    );
    expect(
      shownLine(one, { time: true, service: false }, sameDay, 'en-US').replace(/\u202f/g, ' '),
    ).toBe('09:17:39.123 PM ready');
  });

  it('is empty for no lines', () => {
    expect(shownLines([], { time: true, service: true })).toBe('');
  });
});
