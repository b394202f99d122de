import { appendFile, readdir, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditJournal } from './journal';
import { readJournalEntries } from './journal-files';
import { fakeClock, makeTempDir, readLines, removeTempDir, writeLines } from './test-helpers';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await removeTempDir(dir);
});

const NOV = '2026-11-23T10:00:00.000Z';
const BASE = 'audit-2026-11.jsonl';

/** What a journal that never cached anything reads from `dir` (the pre-cache readAll). */
function uncached(): ReturnType<typeof readJournalEntries> {
  return readJournalEntries(dir);
}

/**
 * File timestamps advance in coarse ticks (a few ms on Linux); an edit that keeps the size must
 * land in a later tick than the last write to be visible to stat (documented limit).
 */
function nextTimestampTick(): Promise<void> {
  return sleep(50);
}

async function appendN(j: AuditJournal, n: number, detail = ''): Promise<void> {
  for (let i = 0; i < n; i++) {
    await j.append({ type: 'service.ready', actor: 'system', service: `svc-${i}`, detail });
  }
}

describe('AuditJournal.readAll cache', () => {
  it('matches a fresh journal after appends across size and month roll-overs', async () => {
    const clock = fakeClock(NOV);
    const j = await AuditJournal.open({ dir, maxFileBytes: 1500, now: clock.now });
    await appendN(j, 3);
    expect(await j.readAll()).toHaveLength(3);
    await appendN(j, 25); // rolls to .1, .2 ...
    expect((await j.readAll()).map((e) => e.seq)).toEqual(
      Array.from({ length: 28 }, (_, i) => i + 1),
    );
    clock.set('2026-12-01T00:00:00.000Z');
    await appendN(j, 4);
    const cached = await j.readAll();

    const files = await readdir(dir);
    expect(files).toContain(`${BASE}.2`);
    expect(files).toContain('audit-2026-12.jsonl');
    const fresh = await AuditJournal.open({ dir, maxFileBytes: 1500, now: clock.now });
    expect(cached).toHaveLength(32);
    expect(cached).toEqual(await fresh.readAll());
    expect(cached).toEqual(await uncached());
    // Rolled files were picked up without ever dropping the cache.
    expect(j.readStats.fullReads).toBe(1);
    await fresh.close();
    await j.close();
  });

  it('returns a new array each time, so a caller reversing it does not touch the cache', async () => {
    const j = await AuditJournal.open({ dir });
    await appendN(j, 3);
    (await j.readAll()).reverse();
    expect((await j.readAll()).map((e) => e.seq)).toEqual([1, 2, 3]);
    await j.close();
  });

  it('reads only the bytes appended since the last call', async () => {
    const j = await AuditJournal.open({ dir, now: fakeClock(NOV).now });
    await appendN(j, 200, 'some detail text');
    const file = path.join(dir, BASE);

    await j.readAll();
    const sizeBefore = (await stat(file)).size;
    expect(j.readStats).toEqual({ bytesRead: sizeBefore, fullReads: 1 });

    // Nothing new: nothing read.
    expect(await j.readAll()).toHaveLength(200);
    expect(j.readStats.bytesRead).toBe(sizeBefore);

    await j.append({ type: 'app.quit', actor: 'tray' });
    const newLine = (await stat(file)).size - sizeBefore;
    const after = await j.readAll();
    expect(after).toHaveLength(201);
    expect(after.at(-1)).toMatchObject({ seq: 201, type: 'app.quit' });
    expect(j.readStats).toEqual({ bytesRead: sizeBefore + newLine, fullReads: 1 });
    expect(after).toEqual(await uncached());
    await j.close();
  });

  it('sees a truncated file on the next read', async () => {
    const j = await AuditJournal.open({ dir, now: fakeClock(NOV).now });
    await appendN(j, 10);
    expect(await j.readAll()).toHaveLength(10);
    const file = path.join(dir, BASE);
    const lines = await readLines(file);
    await truncate(file, Buffer.byteLength(lines.slice(0, 7).join('\n') + '\n'));

    const after = await j.readAll();
    expect(after.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(after).toEqual(await uncached());
    expect(j.readStats.fullReads).toBe(2);
    await j.close();
  });

  it('sees an earlier line rewritten in place (same size, or a different size)', async () => {
    const j = await AuditJournal.open({ dir, now: fakeClock(NOV).now });
    await appendN(j, 10, 'aaaa');
    await j.readAll();
    const file = path.join(dir, BASE);

    await nextTimestampTick();
    const lines = await readLines(file);
    lines[2] = (lines[2] as string).replace('"detail":"aaaa"', '"detail":"bbbb"');
    await writeLines(file, lines);
    let after = await j.readAll();
    expect(after[2]?.detail).toBe('bbbb');
    expect(after).toEqual(await uncached());

    lines[4] = (lines[4] as string).replace('"detail":"aaaa"', '"detail":"longer"');
    await writeLines(file, lines);
    after = await j.readAll();
    expect(after[4]?.detail).toBe('longer');
    expect(after).toEqual(await uncached());
    await j.close();
  });

  it('does not let its own next append hide an edit made since the last read', async () => {
    const j = await AuditJournal.open({ dir, now: fakeClock(NOV).now });
    await appendN(j, 5, 'aaaa');
    await j.readAll();
    await nextTimestampTick();
    const file = path.join(dir, BASE);
    const lines = await readLines(file);
    lines[1] = (lines[1] as string).replace('"detail":"aaaa"', '"detail":"zzzz"');
    await writeLines(file, lines);
    await j.append({ type: 'app.quit', actor: 'tray' });

    const after = await j.readAll();
    expect(after[1]?.detail).toBe('zzzz');
    expect(after).toHaveLength(6);
    expect(after).toEqual(await uncached());
    await j.close();
  });

  it('sees files removed, inserted before the newest, replaced, or appended to by others', async () => {
    const clock = fakeClock(NOV);
    const j = await AuditJournal.open({ dir, maxFileBytes: 1500, now: clock.now });
    await appendN(j, 20);
    await j.readAll();

    await rm(path.join(dir, `${BASE}.1`));
    expect(await j.readAll()).toEqual(await uncached());

    const older = await readLines(path.join(dir, BASE));
    await writeLines(path.join(dir, 'audit-2026-10.jsonl'), older.slice(0, 2));
    expect(await j.readAll()).toEqual(await uncached());

    // Replaced by rename: a new inode with the same size and different content.
    await nextTimestampTick();
    const replaced = older.map((l) => l.replace('"service":"svc-', '"service":"SVC-'));
    await writeLines(path.join(dir, 'replacement'), replaced);
    await rename(path.join(dir, 'replacement'), path.join(dir, BASE));
    let after = await j.readAll();
    expect(after.some((e) => e.service?.startsWith('SVC-'))).toBe(true);
    expect(after).toEqual(await uncached());

    // Another writer appends a whole line to the newest file.
    const newest = (await readdir(dir)).filter((n) => n.startsWith('audit-')).sort();
    const last = path.join(dir, newest.at(-1) as string);
    const foreign = (await readLines(last)).at(-1) as string;
    await appendFile(last, `${foreign.replace('"service":"svc-', '"service":"ext-')}\n`);
    after = await j.readAll();
    expect(after.at(-1)?.service).toMatch(/^ext-/);
    expect(after).toEqual(await uncached());
    await j.close();
  });

  it('skips a torn last line until it is complete, like a full read', async () => {
    const j = await AuditJournal.open({ dir, now: fakeClock(NOV).now });
    await appendN(j, 3);
    await j.readAll();
    const file = path.join(dir, BASE);
    const whole = (await readLines(file))[2] as string;
    const line = whole.replace('"seq":3', '"seq":4');
    const cut = 40;

    await appendFile(file, line.slice(0, cut));
    expect((await j.readAll()).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(await j.readAll()).toEqual(await uncached());

    await appendFile(file, `${line.slice(cut)}\n`);
    const after = await j.readAll();
    expect(after.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(after).toEqual(await uncached());

    // A complete line that is not an entry is skipped, and so is a file emptied of it.
    await appendFile(file, '\0\0\0\n');
    expect(await j.readAll()).toEqual(await uncached());
    await writeFile(file, '');
    expect(await j.readAll()).toEqual([]);
    await j.close();
  });
});
