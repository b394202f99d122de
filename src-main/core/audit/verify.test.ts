import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseEntryLine, sealEntry, serializeEntry } from './canonical';
import { AuditJournal } from './journal';
import { fakeClock, makeTempDir, readLines, removeTempDir, writeLines } from './test-helpers';
import { verifyJournal } from './verify';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await makeTempDir();
  file = path.join(dir, 'audit-2026-11.jsonl');
  const clock = fakeClock('2026-11-23T10:00:00.000Z');
  const j = await AuditJournal.open({ dir, now: clock.now });
  for (let i = 1; i <= 10; i++) {
    await j.append({
      type: 'key.released',
      actor: 'system',
      key: 'K',
      detail: `event number ${i}`,
    });
  }
  await j.close();
});
afterEach(async () => {
  await removeTempDir(dir);
});

describe('verifyJournal', () => {
  it('says OK for an untouched journal and for a missing or empty dir', async () => {
    expect(await verifyJournal(dir)).toEqual({ ok: true, entries: 10 });
    expect(await verifyJournal(path.join(dir, 'nope'))).toEqual({ ok: true, entries: 0 });
  });

  it('names the entry whose detail had one byte flipped (hash mismatch)', async () => {
    const buf = await readFile(file);
    const at = buf.indexOf('event number 7');
    buf[at] = 'f'.charCodeAt(0);
    await writeFile(file, buf);
    const r = await verifyJournal(dir);
    expect(r).toMatchObject({ ok: false, seq: 7, line: 7, file: 'audit-2026-11.jsonl' });
    expect(!r.ok && r.reason).toMatch(/hash mismatch/);
  });

  it('detects a deleted line at the entry after it', async () => {
    const lines = await readLines(file);
    lines.splice(4, 1); // seq 5
    await writeLines(file, lines);
    const r = await verifyJournal(dir);
    expect(r).toMatchObject({ ok: false, seq: 6, line: 5 });
    expect(!r.ok && r.reason).toMatch(/seq gap: expected 5, found 6/);
  });

  it('accepts a journal cut at the end (documented limit: verify alone cannot see it)', async () => {
    // Documented limit: truncating the tail leaves a valid shorter chain. The app records
    // app.started / app.quit, so a missing quit shows in the viewer, not in verify.
    const lines = await readLines(file);
    await writeLines(file, lines.slice(0, 9));
    expect(await verifyJournal(dir)).toEqual({ ok: true, entries: 9 });
  });

  it('detects two swapped lines at the first of them', async () => {
    const lines = await readLines(file);
    [lines[2], lines[3]] = [lines[3] as string, lines[2] as string];
    await writeLines(file, lines);
    const r = await verifyJournal(dir);
    expect(r).toMatchObject({ ok: false, seq: 4, line: 3 });
    expect(!r.ok && r.reason).toMatch(/expected 3, found 4/);
  });

  it('detects a re-sealed replacement entry by its prev', async () => {
    const lines = await readLines(file);
    const p = parseEntryLine(lines[5] as string);
    if (!p.ok) throw new Error(p.reason);
    const { hash: _hash, ...rest } = p.entry;
    lines[5] = serializeEntry(
      sealEntry({ ...rest, detail: 'nothing to see', prev: 'f'.repeat(64) }),
    );
    await writeLines(file, lines);
    const r = await verifyJournal(dir);
    expect(r).toMatchObject({ ok: false, seq: 6, line: 6 });
    expect(!r.ok && r.reason).toMatch(/prev mismatch/);
  });

  it('reports an unparseable line with its line number', async () => {
    const lines = await readLines(file);
    lines[7] = (lines[7] as string).slice(0, 30);
    await writeLines(file, lines);
    const r = await verifyJournal(dir);
    expect(r).toMatchObject({ ok: false, seq: 8, line: 8 });
    expect(!r.ok && r.reason).toMatch(/unparseable line/);
  });

  it('rejects an extra field smuggled outside the canonical form', async () => {
    const lines = await readLines(file);
    lines[1] = (lines[1] as string).replace(/}$/, ',"note":"hi"}');
    await writeLines(file, lines);
    const r = await verifyJournal(dir);
    expect(r).toMatchObject({ ok: false, seq: 2, line: 2 });
    expect(!r.ok && r.reason).toMatch(/unexpected field "note"/);
  });

  it('detects a whole rolled file deleted, at the first entry after the hole', async () => {
    const clock = fakeClock('2026-12-01T00:00:00.000Z');
    const j = await AuditJournal.open({ dir, now: clock.now });
    await j.append({ type: 'app.started', actor: 'system' });
    clock.set('2027-01-01T00:00:00.000Z');
    await j.append({ type: 'app.quit', actor: 'system' });
    await j.close();
    expect(await verifyJournal(dir)).toEqual({ ok: true, entries: 12 });
    await rm(path.join(dir, 'audit-2026-12.jsonl'));
    const r = await verifyJournal(dir);
    expect(r).toMatchObject({ ok: false, seq: 12, line: 1, file: 'audit-2027-01.jsonl' });
  });

  it('reports entries that could not be written (an open outage) as not OK, after the last entry', async () => {
    const openGap = {
      count: 2,
      firstAt: '2026-11-23T10:01:00.000Z',
      lastAt: '2026-11-23T10:02:00.000Z',
      reason: 'ENOSPC: the disk is full',
      recordedSeq: null,
    };
    const r = await verifyJournal(dir, { openGap });
    expect(r).toMatchObject({
      ok: false,
      gap: true,
      seq: 11,
      line: 11,
      file: 'audit-2026-11.jsonl',
      gaps: [openGap],
    });
    expect(!r.ok && r.reason).toBe(
      '2 entries could not be written between 2026-11-23T10:01:00.000Z and ' +
        '2026-11-23T10:02:00.000Z (ENOSPC: the disk is full). They are missing from the ' +
        'journal after entry #10; keys are held back until the journal can be written again.',
    );
    // A damaged chain is still reported first, with the open gap listed beside it.
    const lines = await readLines(file);
    lines.splice(4, 1);
    await writeLines(file, lines);
    expect(await verifyJournal(dir, { openGap })).toMatchObject({
      ok: false,
      seq: 6,
      gaps: [openGap],
    });
  });

  it('lists recorded gaps (journal.gap entries) and stays OK: the chain tells the loss itself', async () => {
    const j = await AuditJournal.open({ dir, now: fakeClock('2026-11-23T10:05:00.000Z').now });
    await j.append({
      type: 'journal.gap',
      actor: 'window',
      outcome: 'failed',
      detail:
        '3 entries could not be written between 2026-11-23T10:01:00.000Z and ' +
        '2026-11-23T10:04:00.000Z (EPERM: operation not permitted). The journal could be written again.',
    });
    await j.close();
    expect(await verifyJournal(dir, { openGap: null })).toEqual({
      ok: true,
      entries: 11,
      gaps: [
        {
          count: 3,
          firstAt: '2026-11-23T10:01:00.000Z',
          lastAt: '2026-11-23T10:04:00.000Z',
          reason: 'EPERM: operation not permitted',
          recordedSeq: 11,
        },
      ],
    });
  });
});
