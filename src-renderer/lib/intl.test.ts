import { describe, expect, it } from 'vitest';
import { formatDateTime, formatLogTime, formatNumber, plural, sameDay } from './intl';

// ICU puts a narrow no-break space before AM/PM (CLDR 42+); compare with plain spaces.
const plain = (s: string) => s.replace(/[\u202f\u00a0]/g, ' ');

// Local times, so the expectations hold in any time zone the tests run in.
const evening = new Date(2026, 10, 28, 21, 17, 39, 123).getTime();
const morning = new Date(2026, 10, 28, 8, 5, 2, 7).getTime();
const dayBefore = new Date(2026, 10, 27, 23, 59, 59, 999).getTime();

describe('formatNumber', () => {
  it('groups thousands as the locale does', () => {
    expect(formatNumber(100000, 'en-US')).toBe('100,000');
    expect(formatNumber(100000, 'de-DE')).toBe('100.000');
    expect(formatNumber(999, 'de-DE')).toBe('999');
    expect(formatNumber(0, 'en-US')).toBe('0');
  });
});

describe('plural', () => {
  const lines = { one: 'line', other: 'lines' };
  it('uses the singular for exactly one', () => {
    expect(plural(1, lines, 'en-US')).toBe('1 line');
    expect(plural(1, { one: 'place', other: 'places' }, 'de-DE')).toBe('1 place');
  });

  it('uses the plural for zero, many and fractions', () => {
    expect(plural(0, lines, 'en-US')).toBe('0 lines');
    expect(plural(2, lines, 'en-US')).toBe('2 lines');
    expect(plural(1.5, lines, 'en-US')).toBe('1.5 lines');
    expect(plural(1.5, lines, 'de-DE')).toBe('1,5 lines');
  });

  it('formats the count in the locale', () => {
    expect(plural(100000, lines, 'en-US')).toBe('100,000 lines');
    expect(plural(100000, lines, 'de-DE')).toBe('100.000 lines');
  });
});

describe('formatDateTime', () => {
  it('writes date and time to the second in the locale order and clock', () => {
    expect(plain(formatDateTime(evening, 'en-US'))).toBe('11/28/2026, 09:17:39 PM');
    expect(formatDateTime(evening, 'de-DE')).toBe('28.11.2026, 21:17:39');
  });

  it('accepts ISO strings and Dates alike', () => {
    const iso = new Date(morning).toISOString();
    expect(formatDateTime(iso, 'de-DE')).toBe('28.11.2026, 08:05:02');
    expect(formatDateTime(new Date(morning), 'de-DE')).toBe('28.11.2026, 08:05:02');
  });

  it('returns an unparseable value unchanged', () => {
    expect(formatDateTime('not a date', 'en-US')).toBe('not a date');
  });
});

describe('formatLogTime', () => {
  it('shows only the time, with milliseconds, for a line from today', () => {
    expect(plain(formatLogTime(morning, evening, 'en-US'))).toBe('08:05:02.007 AM');
    expect(formatLogTime(evening, morning, 'de-DE')).toBe('21:17:39,123');
  });

  it('adds the date for a line from another day', () => {
    expect(plain(formatLogTime(dayBefore, evening, 'en-US'))).toBe('11/27/2026, 11:59:59.999 PM');
    expect(formatLogTime(dayBefore, evening, 'de-DE')).toBe('27.11.2026, 23:59:59,999');
  });
});

describe('sameDay', () => {
  it('compares local calendar days', () => {
    expect(sameDay(morning, evening)).toBe(true);
    expect(sameDay(dayBefore, morning)).toBe(false);
  });
});
