import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GENESIS_HASH, parseEntryLine } from './canonical';
import { AuditJournal } from './journal';
import { fakeClock, makeTempDir, readLines, removeTempDir } from './test-helpers';
import { verifyJournal } from './verify';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await removeTempDir(dir);
});

const NOV = '2026-11-23T10:00:00.000Z';

describe('AuditJournal', () => {
  it('writes a chain that verifies after N appends', async () => {
    const clock = fakeClock(NOV);
    const j = await AuditJournal.open({ dir, now: clock.now });
    const first = await j.append({ type: 'app.started', actor: 'system' });
    expect(first).toMatchObject({
      seq: 1,
      time: NOV,
      service: null,
      pid: null,
      key: null,
      fingerprint: null,
      outcome: 'info',
      detail: '',
      prev: GENESIS_HASH,
    });
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    for (let i = 0; i < 24; i++) {
      await j.append({ type: 'service.ready', actor: 'system', service: 'stigmer-server', pid: i });
    }
    await j.close();
    expect(await readdir(dir)).toEqual(['audit-2026-11.jsonl']);
    const lines = await readLines(path.join(dir, 'audit-2026-11.jsonl'));
    expect(lines).toHaveLength(25);
    expect(lines.every((l) => parseEntryLine(l).ok)).toBe(true);
    expect(await verifyJournal(dir)).toEqual({ ok: true, entries: 25 });
  });

  it('continues the chain after reopening', async () => {
    const j1 = await AuditJournal.open({ dir });
    const a = await j1.append({ type: 'app.started', actor: 'system' });
    await j1.close();
    const j2 = await AuditJournal.open({ dir });
    expect(j2.lastSeq).toBe(1);
    const b = await j2.append({ type: 'app.quit', actor: 'tray' });
    await j2.close();
    expect(b.seq).toBe(2);
    expect(b.prev).toBe(a.hash);
    expect(await verifyJournal(dir)).toEqual({ ok: true, entries: 2 });
  });

  it('keeps seq strictly increasing and lines whole under 200 concurrent appends', async () => {
    const j = await AuditJournal.open({ dir });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        j.append({
          type: 'key.delivered',
          actor: 'system',
          service: `svc-${i}`,
          key: 'ANTHROPIC_API_KEY',
          pid: 1000 + i,
          detail: 'x'.repeat(i * 7),
        }),
      ),
    );
    await j.close();
    expect(results.map((e) => e.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const lines = await readLines(path.join(dir, (await readdir(dir))[0] as string));
    expect(lines).toHaveLength(200);
    const seqs = lines.map((l) => {
      const p = parseEntryLine(l);
      if (!p.ok) throw new Error(p.reason);
      return p.entry.seq;
    });
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(await verifyJournal(dir)).toEqual({ ok: true, entries: 200 });
  });

  it('rolls by size to .1, .2 ... and the chain continues across files', async () => {
    const clock = fakeClock(NOV);
    const j = await AuditJournal.open({ dir, maxFileBytes: 1200, now: clock.now });
    const entries = [];
    for (let i = 0; i < 30; i++) {
      entries.push(await j.append({ type: 'service.starting', actor: 'window', service: 's' }));
    }
    await j.close();
    const files = (await readdir(dir)).sort();
    expect(files.length).toBeGreaterThan(3);
    expect(files).toContain('audit-2026-11.jsonl.1');
    for (const f of files) expect((await stat(path.join(dir, f))).size).toBeLessThanOrEqual(1200);
    const firstOfSecond = parseEntryLine(
      (await readLines(path.join(dir, 'audit-2026-11.jsonl.1')))[0] as string,
    );
    const base = await readLines(path.join(dir, 'audit-2026-11.jsonl'));
    const lastOfBase = parseEntryLine(base.at(-1) as string);
    if (!firstOfSecond.ok || !lastOfBase.ok) throw new Error('unparseable');
    expect(firstOfSecond.entry.prev).toBe(lastOfBase.entry.hash);
    expect(await verifyJournal(dir)).toEqual({ ok: true, entries: 30 });

    // A reopened journal appends to the newest file, not the base one.
    const j2 = await AuditJournal.open({ dir, maxFileBytes: 1200, now: clock.now });
    const next = await j2.append({ type: 'app.quit', actor: 'system' });
    expect(next.seq).toBe(31);
    expect((await j2.readAll()).map((e) => e.seq)).toEqual(
      Array.from({ length: 31 }, (_, i) => i + 1),
    );
    await j2.close();
    expect(await verifyJournal(dir)).toEqual({ ok: true, entries: 31 });
  });

  it('rolls by month (UTC) and keeps the chain; a clock going back keeps the newest file', async () => {
    const clock = fakeClock(NOV);
    const j = await AuditJournal.open({ dir, now: clock.now });
    await j.append({ type: 'app.started', actor: 'system' });
    await j.append({ type: 'stack.start-requested', actor: 'tray' });
    clock.set('2026-12-01T00:00:00.000Z');
    await j.append({ type: 'stack.stop-requested', actor: 'cli' });
    clock.set('2026-11-30T23:59:00.000Z');
    await j.append({ type: 'app.quit', actor: 'system' });
    clock.set('2027-01-02T00:00:00.000Z');
    await j.append({ type: 'app.started', actor: 'system' });
    await j.close();
    expect((await readdir(dir)).sort()).toEqual([
      'audit-2026-11.jsonl',
      'audit-2026-12.jsonl',
      'audit-2027-01.jsonl',
    ]);
    expect(await readLines(path.join(dir, 'audit-2026-12.jsonl'))).toHaveLength(2);
    expect(await verifyJournal(dir)).toEqual({ ok: true, entries: 5 });
  });

  it('stores a key-shaped detail redacted, never the value', async () => {
    const canary = 'sk-ant-api03-CANARYcanary0123456789abcdefXYZ';
    const j = await AuditJournal.open({ dir });
    const e = await j.append({
      type: 'service.failed',
      actor: 'system',
      service: 'agent-runner',
      outcome: 'failed',
      detail: `401 from Anthropic for key ${canary}; also sk-proj-abcdefghijklmnop1234 and AKIAABCDEFGHIJKLMNOP`,
    });
    await j.close();
    expect(e.detail).toBe('401 from Anthropic for key [redacted]; also [redacted] and [redacted]');
    const raw = await readFile(path.join(dir, (await readdir(dir))[0] as string), 'utf8');
    expect(raw).not.toContain('CANARY');
    expect(raw).toContain('[redacted]');
    expect(await verifyJournal(dir)).toEqual({ ok: true, entries: 1 });
  });

  it('tells onAppend listeners after the write and stops after unsubscribe', async () => {
    const j = await AuditJournal.open({ dir });
    const seen: number[] = [];
    const off = j.onAppend((e) => seen.push(e.seq));
    j.onAppend(() => {
      throw new Error('a broken viewer');
    });
    await j.append({ type: 'key.entered', actor: 'window', key: 'OPENAI_API_KEY' });
    off();
    await j.append({ type: 'key.stored', actor: 'window', key: 'OPENAI_API_KEY' });
    await j.close();
    expect(seen).toEqual([1]);
  });

  it('rejects unknown types and actors, and appends after close', async () => {
    const j = await AuditJournal.open({ dir });
    await expect(j.append({ type: 'key.stolen' as 'key.stored', actor: 'system' })).rejects.toThrow(
      /Unknown audit type/,
    );
    await expect(j.append({ type: 'key.stored', actor: 'hacker' as 'system' })).rejects.toThrow(
      /Unknown audit actor/,
    );
    await j.append({ type: 'app.started', actor: 'system' });
    await j.close();
    await expect(j.append({ type: 'app.quit', actor: 'system' })).rejects.toThrow(/closed/);
    expect(await verifyJournal(dir)).toEqual({ ok: true, entries: 1 });
  });
});
