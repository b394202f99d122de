import { describe, expect, it } from 'vitest';
import { gapMessage, localTime, shortHash, verifyMessage } from './format';

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

  it('says "incomplete", not "damaged", while entries cannot be written', () => {
    expect(
      verifyMessage({
        ok: false,
        gap: true,
        seq: 11,
        line: 11,
        file: 'audit-2026-11.jsonl',
        reason: '2 entries could not be written between a and b (ENOSPC: the disk is full).',
      }),
    ).toBe(
      'Journal incomplete: 2 entries could not be written between a and b (ENOSPC: the disk is full).',
    );
  });

  it('lists recorded gaps after the OK count, with the entry that records each', () => {
    const gap = {
      count: 3,
      firstAt: 'x',
      lastAt: 'y',
      reason: 'EPERM: operation not permitted',
      recordedSeq: 42,
    };
    expect(verifyMessage({ ok: true, entries: 50, gaps: [gap] })).toBe(
      'Journal intact: 50 entries verified, with a gap: 3 entries could not be written ' +
        'between x and y (EPERM: operation not permitted), recorded as entry #42',
    );
    expect(
      verifyMessage({ ok: true, entries: 50, gaps: [gap, { ...gap, count: 1, recordedSeq: 49 }] }),
    ).toMatch(/with 2 gaps: .*; 1 entry could not be written .*recorded as entry #49$/);
    expect(gapMessage({ ...gap, recordedSeq: null })).toMatch(
      /not recorded yet: the journal still cannot be written$/,
    );
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
  it('formats an ISO time in the given locale, to the second, in local time', () => {
    const local = new Date(2026, 10, 28, 21, 17, 39, 123);
    expect(localTime(local.toISOString(), 'en-US').replace(/\u202f/g, ' ')).toBe(
      '11/28/2026, 09:17:39 PM',
    );
    expect(localTime(local.toISOString(), 'de-DE')).toBe('28.11.2026, 21:17:39');
  });

  it('returns an unparseable value unchanged', () => {
    expect(localTime('not a date')).toBe('not a date');
  });
});

describe('entry counts', () => {
  it('say "1 entry" and group thousands', () => {
    expect(verifyMessage({ ok: true, entries: 1 })).toBe('Journal intact: 1 entry verified');
    expect(verifyMessage({ ok: true, entries: 12345 })).toMatch(/^Journal intact: 12.345 entries/);
  });
});
