import { appendFile, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditJournal } from './journal';
import { fakeClock, makeTempDir, readLines, removeTempDir } from './test-helpers';
import { scanTornTail } from './torn-line';
import { verifyJournal } from './verify';

let dir: string;
let file: string;
const clock = fakeClock('2026-11-23T10:00:00.000Z');

beforeEach(async () => {
  dir = await makeTempDir();
  file = path.join(dir, 'audit-2026-11.jsonl');
  const j = await AuditJournal.open({ dir, now: clock.now });
  for (let i = 0; i < 3; i++) await j.append({ type: 'service.ready', actor: 'system' });
  await j.close();
});
afterEach(async () => {
  await removeTempDir(dir);
});

async function tornFiles(): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.startsWith('torn-'));
}

describe('torn last line', () => {
  it('sets aside a partial line, journals it, and the chain goes on', async () => {
    const partial = '{"seq":4,"time":"2026-11-23T10:0';
    await appendFile(file, partial);
    const before = await verifyJournal(dir);
    expect(before).toMatchObject({ ok: false, line: 4, seq: 4 });
    expect(!before.ok && before.reason).toMatch(/torn line/);

    const j = await AuditJournal.open({ dir, now: clock.now });
    const entries = await j.readAll();
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    const torn = entries[3];
    expect(torn).toMatchObject({ type: 'journal.torn-line', actor: 'system', outcome: 'failed' });
    expect(torn?.prev).toBe(entries[2]?.hash);
    expect(torn?.detail).toContain(`${Buffer.byteLength(partial)} bytes`);
    expect(torn?.detail).toContain('line 4 of audit-2026-11.jsonl');

    const saved = await tornFiles();
    expect(saved).toEqual(['torn-2026-11-23T10-00-00-000Z.txt']);
    expect(await readFile(path.join(dir, saved[0] as string), 'utf8')).toBe(partial);
    expect(torn?.detail).toContain(saved[0]);

    expect((await j.append({ type: 'app.quit', actor: 'system' })).seq).toBe(5);
    await j.close();
    expect(await readLines(file)).toHaveLength(5);
    expect(await verifyJournal(dir)).toEqual({ ok: true, entries: 5 });
  });

  it('sets aside a complete but unparseable last line (zeros after a crash)', async () => {
    await appendFile(file, '\0\0\0\0\0\0\n');
    const j = await AuditJournal.open({ dir, now: clock.now });
    await j.close();
    const saved = await tornFiles();
    expect(saved).toHaveLength(1);
    expect(await readFile(path.join(dir, saved[0] as string), 'utf8')).toBe('\0\0\0\0\0\0\n');
    expect(await verifyJournal(dir)).toEqual({ ok: true, entries: 4 });
  });

  it('does nothing to a clean file, and never overwrites an earlier torn file', async () => {
    let j = await AuditJournal.open({ dir, now: clock.now });
    await j.close();
    expect(await tornFiles()).toEqual([]);
    await appendFile(file, '{"seq"');
    j = await AuditJournal.open({ dir, now: clock.now });
    await j.close();
    await appendFile(file, '{"se');
    j = await AuditJournal.open({ dir, now: clock.now });
    await j.close();
    expect(await tornFiles()).toHaveLength(2);
    expect(await verifyJournal(dir)).toEqual({ ok: true, entries: 5 });
  });

  it('scanTornTail finds the cut offset and line number', () => {
    expect(scanTornTail(Buffer.from(''))).toBeNull();
    expect(scanTornTail(Buffer.from('abc'))).toEqual({ goodEnd: 0, tornLine: 1 });
    expect(scanTornTail(Buffer.from('x\ny\nzz'))).toEqual({ goodEnd: 4, tornLine: 3 });
    expect(scanTornTail(Buffer.from('x\ny\n'))).toEqual({ goodEnd: 2, tornLine: 2 });
  });
});
