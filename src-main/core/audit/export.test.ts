import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../src-shared/model/audit';
import { GENESIS_HASH, parseEntryLine, sealEntry } from './canonical';
import { exportJournal, filterEntries } from './export';

function chain(specs: Partial<AuditEntry>[]): AuditEntry[] {
  let prev = GENESIS_HASH;
  return specs.map((s, i) => {
    const e = sealEntry({
      seq: i + 1,
      time: new Date(Date.UTC(2026, 10, 1 + i)).toISOString(),
      type: 'service.ready',
      actor: 'system',
      service: null,
      pid: null,
      key: null,
      fingerprint: null,
      outcome: 'info',
      detail: '',
      prev,
      ...s,
    });
    prev = e.hash;
    return e;
  });
}

const entries = chain([
  { type: 'app.started' },
  { type: 'service.ready', service: 'stigmer-server' },
  { type: 'key.delivered', service: 'agent-runner', key: 'ANTHROPIC_API_KEY', pid: 42 },
  { type: 'key.rotated', key: 'ANTHROPIC_API_KEY', fingerprint: 'ab12->cd34' },
  { type: 'service.crashed', service: 'agent-runner', outcome: 'failed' },
]);

describe('exportJournal', () => {
  it('exports everything as JSON Lines that parse back to the same entries', () => {
    const out = exportJournal(entries, {});
    const lines = out.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => parseEntryLine(l))).toEqual(
      entries.map((entry) => ({ ok: true, entry })),
    );
  });

  it('filters by types, service, key and an inclusive time range', () => {
    const seqs = (f: Parameters<typeof filterEntries>[1]): number[] =>
      filterEntries(entries, f).map((e) => e.seq);
    expect(seqs({ types: ['key.delivered', 'key.rotated'] })).toEqual([3, 4]);
    expect(seqs({ types: [] })).toEqual([1, 2, 3, 4, 5]);
    expect(seqs({ service: 'agent-runner' })).toEqual([3, 5]);
    expect(seqs({ key: 'ANTHROPIC_API_KEY' })).toEqual([3, 4]);
    expect(seqs({ from: '2026-11-02T00:00:00.000Z', to: '2026-11-04T00:00:00.000Z' })).toEqual([
      2, 3, 4,
    ]);
    expect(seqs({ service: 'agent-runner', types: ['service.crashed'] })).toEqual([5]);
    expect(exportJournal(entries, { service: 'nobody' })).toBe('');
    expect(() => filterEntries(entries, { from: 'yesterday' })).toThrow(/not a date/);
  });
});
