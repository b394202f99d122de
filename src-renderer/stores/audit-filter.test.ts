import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src-shared/model/audit';
import {
  EMPTY_FILTER,
  KEY_PATTERN,
  SERVICE_PATTERN,
  listArgs,
  localInputToIso,
  matchesFilter,
  type AuditFilter,
} from './audit-filter';

// Expected values are computed from the same local-time parse, so the tests hold in any zone.
const localMs = (value: string) => new Date(value).getTime();
const iso = (ms: number) => new Date(ms).toISOString();

const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  seq: 1,
  time: iso(localMs('2025-03-10T12:30:15.500')),
  type: 'key.delivered',
  actor: 'system',
  service: 'stigmer-server',
  pid: 123,
  key: 'ANTHROPIC_API_KEY',
  fingerprint: 'abcd',
  outcome: 'ok',
  detail: '',
  prev: '0'.repeat(64),
  hash: '1'.repeat(64),
  ...over,
});

const f = (over: Partial<AuditFilter>): AuditFilter => ({ ...EMPTY_FILTER, ...over });

describe('localInputToIso', () => {
  it('keeps an open bound open and ignores invalid input', () => {
    expect(localInputToIso('', false)).toBe('');
    expect(localInputToIso('', true)).toBe('');
    expect(localInputToIso('garbage', false)).toBe('');
    expect(localInputToIso('garbage', true)).toBe('');
  });

  it('reads the input as local time; a start bound is exact', () => {
    expect(localInputToIso('2025-03-10T12:30', false)).toBe(iso(localMs('2025-03-10T12:30')));
    expect(localInputToIso('2025-03-10T12:30:15', false)).toBe(iso(localMs('2025-03-10T12:30:15')));
  });

  it('an end bound covers the whole minute, or the whole second when seconds are given', () => {
    expect(localInputToIso('2025-03-10T12:30', true)).toBe(
      iso(localMs('2025-03-10T12:30') + 59_999),
    );
    expect(localInputToIso('2025-03-10T12:30:15', true)).toBe(
      iso(localMs('2025-03-10T12:30:15') + 999),
    );
  });
});

describe('listArgs', () => {
  it('sends only the limit for an empty filter', () => {
    expect(listArgs(EMPTY_FILTER, 500)).toEqual({ limit: 500 });
  });

  it('sends each set field, with the type as a one-element list', () => {
    expect(
      listArgs(
        f({
          type: 'key.rotated',
          service: 'agent',
          key: 'OPENAI_API_KEY',
          from: '2025-03-10T08:00',
          to: '2025-03-10T09:00',
        }),
        100,
      ),
    ).toEqual({
      limit: 100,
      types: ['key.rotated'],
      service: 'agent',
      key: 'OPENAI_API_KEY',
      from: iso(localMs('2025-03-10T08:00')),
      to: iso(localMs('2025-03-10T09:00') + 59_999),
    });
  });

  it('leaves out unparseable time bounds', () => {
    expect(listArgs(f({ from: 'nope', to: 'also nope' }), 10)).toEqual({ limit: 10 });
  });

  it('produces UTC ISO bounds the contract accepts', () => {
    const args = listArgs(f({ from: '2025-03-10T08:00', to: '2025-03-10T09:00:05' }), 1);
    expect(args.from).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(args.to).toMatch(/\.999Z$/);
  });
});

describe('matchesFilter', () => {
  it('passes everything with an empty filter', () => {
    expect(matchesFilter(entry(), EMPTY_FILTER)).toBe(true);
    expect(matchesFilter(entry({ service: null, key: null }), EMPTY_FILTER)).toBe(true);
  });

  it('matches type, service and key exactly', () => {
    expect(matchesFilter(entry(), f({ type: 'key.delivered' }))).toBe(true);
    expect(matchesFilter(entry(), f({ type: 'key.stored' }))).toBe(false);
    expect(matchesFilter(entry(), f({ service: 'stigmer-server' }))).toBe(true);
    expect(matchesFilter(entry(), f({ service: 'stigmer' }))).toBe(false);
    expect(matchesFilter(entry({ service: null }), f({ service: 'stigmer-server' }))).toBe(false);
    expect(matchesFilter(entry(), f({ key: 'ANTHROPIC_API_KEY' }))).toBe(true);
    expect(matchesFilter(entry(), f({ key: 'OPENAI_API_KEY' }))).toBe(false);
    expect(matchesFilter(entry({ key: null }), f({ key: 'ANTHROPIC_API_KEY' }))).toBe(false);
    expect(
      matchesFilter(entry(), f({ type: 'key.delivered', service: 'stigmer-server', key: 'X' })),
    ).toBe(false);
  });

  it('applies inclusive time bounds, the end covering its whole minute', () => {
    // The entry is at local 12:30:15.500.
    expect(matchesFilter(entry(), f({ from: '2025-03-10T12:30' }))).toBe(true);
    expect(matchesFilter(entry(), f({ from: '2025-03-10T12:31' }))).toBe(false);
    expect(matchesFilter(entry(), f({ to: '2025-03-10T12:30' }))).toBe(true);
    expect(matchesFilter(entry(), f({ to: '2025-03-10T12:29' }))).toBe(false);
    expect(matchesFilter(entry(), f({ to: '2025-03-10T12:30:15' }))).toBe(true);
    expect(matchesFilter(entry(), f({ to: '2025-03-10T12:30:14' }))).toBe(false);
    expect(matchesFilter(entry(), f({ from: '2025-03-10T12:30:16' }))).toBe(false);
    expect(matchesFilter(entry(), f({ from: '2025-03-10T12:00', to: '2025-03-10T13:00' }))).toBe(
      true,
    );
  });

  it('is inclusive at the exact bound instants', () => {
    const start = localMs('2025-03-10T12:30');
    expect(matchesFilter(entry({ time: iso(start) }), f({ from: '2025-03-10T12:30' }))).toBe(true);
    expect(matchesFilter(entry({ time: iso(start - 1) }), f({ from: '2025-03-10T12:30' }))).toBe(
      false,
    );
    const end = start + 59_999;
    expect(matchesFilter(entry({ time: iso(end) }), f({ to: '2025-03-10T12:30' }))).toBe(true);
    expect(matchesFilter(entry({ time: iso(end + 1) }), f({ to: '2025-03-10T12:30' }))).toBe(false);
  });

  it('ignores unparseable bounds like listArgs does', () => {
    expect(matchesFilter(entry(), f({ from: 'bad', to: 'bad' }))).toBe(true);
  });
});

describe('patterns', () => {
  it('SERVICE_PATTERN accepts lowercase names and rejects others', () => {
    expect(SERVICE_PATTERN.test('stigmer-server')).toBe(true);
    expect(SERVICE_PATTERN.test('a')).toBe(true);
    expect(SERVICE_PATTERN.test('-lead')).toBe(false);
    expect(SERVICE_PATTERN.test('Upper')).toBe(false);
    expect(SERVICE_PATTERN.test('a'.repeat(63))).toBe(true);
    expect(SERVICE_PATTERN.test('a'.repeat(64))).toBe(false);
  });

  it('KEY_PATTERN accepts upper-case key names and rejects others', () => {
    expect(KEY_PATTERN.test('ANTHROPIC_API_KEY')).toBe(true);
    expect(KEY_PATTERN.test('K1')).toBe(true);
    expect(KEY_PATTERN.test('1K')).toBe(false);
    expect(KEY_PATTERN.test('lower')).toBe(false);
    expect(KEY_PATTERN.test('A'.repeat(129))).toBe(false);
  });
});
