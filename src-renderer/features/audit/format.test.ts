import { describe, expect, it } from 'vitest';
import { localTime, shortHash, verifyMessage } from './format';

describe('verifyMessage', () => {
  it('reports an intact journal with the entry count', () => {
    expect(verifyMessage({ ok: true, entries: 42 })).toBe('Journal intact: 42 entries verified');
  });

  it('reports the damaged entry by seq with file, line and reason', () => {
    expect(
      verifyMessage({
        ok: false,
        seq: 17,
        line: 3,
        file: 'audit-2026-11.jsonl.1',
        reason: 'hash mismatch',
      }),
    ).toBe('Journal damaged at entry #17 (audit-2026-11.jsonl.1, line 3): hash mismatch');
  });

  it('names an unreadable entry when seq is null', () => {
    expect(
      verifyMessage({ ok: false, seq: null, line: 9, file: 'audit.jsonl', reason: 'bad JSON' }),
    ).toBe('Journal damaged at an unreadable entry (audit.jsonl, line 9): bad JSON');
  });

  it('treats seq 0 as a seq, not as unreadable', () => {
    expect(verifyMessage({ ok: false, seq: 0, line: 1, file: 'f', reason: 'r' })).toBe(
      'Journal damaged at entry #0 (f, line 1): r',
    );
  });
});

describe('shortHash', () => {
  it('shortens long hashes to first 12 … last 4', () => {
    const h = '0123456789abcdef'.repeat(4);
    expect(shortHash(h)).toBe('0123456789ab…cdef');
  });

  it('keeps hashes of 20 characters or fewer', () => {
    expect(shortHash('')).toBe('');
    expect(shortHash('abc')).toBe('abc');
    expect(shortHash('a'.repeat(20))).toBe('a'.repeat(20));
    expect(shortHash('a'.repeat(20) + 'b')).toBe('aaaaaaaaaaaa…aaab');
  });
});

describe('localTime', () => {
  it('formats a valid ISO time as local YYYY-MM-DD HH:MM:SS', () => {
    const iso = '2025-01-31T09:05:02.123Z';
    const d = new Date(iso);
    const p = (n: number) => String(n).padStart(2, '0');
    expect(localTime(iso)).toBe(
      `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
        `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`,
    );
    expect(localTime(iso)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  it('returns an unparseable value unchanged', () => {
    expect(localTime('not a date')).toBe('not a date');
  });
});
