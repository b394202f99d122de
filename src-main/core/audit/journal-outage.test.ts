import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { entryHash } from './canonical';
import { gapOfEntry, gapSentence, describeWriteFailure } from './gap';
import { AuditJournal, JournalWriteError } from './journal';
import { listJournalFiles } from './journal-files';
import {
  fillDisk,
  immutableSupport,
  makeImmutable,
  tinyDisk,
  tinyDiskSupport,
} from './test-outage';
import { makeTempDir, removeTempDir } from './test-helpers';
import { verifyJournal } from './verify';

// Real outages only: a full tmpfs (ENOSPC) and an immutable file (EPERM). Both need root;
// without it these cases are skipped with the reason printed in the test name.
const immutable = await immutableSupport();
const tiny = await tinyDiskSupport();

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const ev = (n: number) => ({
  type: 'service.ready' as const,
  actor: 'system' as const,
  detail: `#${n}`,
});

async function failure(p: Promise<unknown>): Promise<JournalWriteError> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(JournalWriteError);
  return error as JournalWriteError;
}

describe('AuditJournal on a full disk', () => {
  it.skipIf(tiny !== null)(
    `ENOSPC: the failed append leaves no partial line and the chain continues after space is freed${tiny ? ` (skipped: ${tiny})` : ''}`,
    async () => {
      const disk = await tinyDisk(64);
      cleanups.push(() => disk.unmount());
      const dir = path.join(disk.dir, 'audit');
      const journal = await AuditJournal.open({ dir });
      cleanups.push(() => journal.close());
      // Big entries until the file's last page has less room than one more: the next append
      // then writes what fits (a partial line) and meets ENOSPC, the case a torn line comes from.
      const big = (n: number) => ({ ...ev(n), detail: `#${n} ${'x'.repeat(900)}` });
      let seq = 0;
      let size: number;
      do {
        await journal.append(big(++seq));
        const [first] = await listJournalFiles(dir);
        size = (await readFile(path.join(dir, first!))).length;
      } while (4096 - (size % 4096) > 1200);
      const [name] = await listJournalFiles(dir);
      const before = await readFile(path.join(dir, name!));
      const filler = await fillDisk(disk.dir);

      const error = await failure(journal.append(big(seq + 1)));
      expect(error.reason).toBe('ENOSPC: the disk is full');
      expect(error.message).toMatch(/check free disk space/);
      // Not a byte of the lost entry stays behind: the next line will not glue onto it.
      expect((await readFile(path.join(dir, name!))).equals(before)).toBe(true);

      await rm(filler);
      const next = await journal.append(ev(seq + 2));
      const entries = await journal.readAll();
      expect(next.seq).toBe(seq + 1);
      expect(next.prev).toBe(entries[seq - 1]!.hash);
      expect(entryHash(next)).toBe(next.hash);
      expect(await verifyJournal(dir)).toEqual({ ok: true, entries: seq + 1 });
    },
  );
});

describe('AuditJournal on an immutable file', () => {
  it.skipIf(immutable !== null)(
    `EPERM: every append fails with the reason in plain words, then works once writable${immutable ? ` (skipped: ${immutable})` : ''}`,
    async () => {
      const dir = await makeTempDir();
      cleanups.push(() => removeTempDir(dir));
      const journal = await AuditJournal.open({ dir });
      cleanups.push(() => journal.close());
      await journal.append(ev(1));
      await journal.append(ev(2));
      const lock = await makeImmutable(dir);
      cleanups.push(() => lock.restore().catch(() => undefined));

      const first = await failure(journal.append(ev(3)));
      expect(first.reason).toMatch(/^EPERM: operation not permitted/);
      // The handle was dropped after the failure: the retry reopens and fails the same way.
      const second = await failure(journal.append(ev(4)));
      expect(second.reason).toBe(first.reason);
      expect(journal.lastSeq).toBe(2);

      await lock.restore();
      const next = await journal.append(ev(5));
      expect(next.seq).toBe(3);
      expect(await verifyJournal(dir)).toEqual({ ok: true, entries: 3 });
    },
  );
});

describe('gap helpers', () => {
  it('describe errno codes in plain words, looking through cause', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
    });
    expect(describeWriteFailure(new Error('wrapped', { cause: enospc }))).toBe(
      'ENOSPC: the disk is full',
    );
    const odd = Object.assign(new Error('ENOTSUP: operation not supported'), { code: 'ENOTSUP' });
    expect(describeWriteFailure(odd)).toBe('ENOTSUP: operation not supported');
    expect(describeWriteFailure('plain')).toBe('plain');
  });

  it('a gap sentence round-trips through a journal.gap entry, and only that type', () => {
    const gap = {
      count: 3,
      firstAt: '2026-11-28T10:00:00.000Z',
      lastAt: '2026-11-28T10:05:00.000Z',
      reason: 'ENOSPC: the disk is full',
    };
    const detail = `${gapSentence(gap)} The journal could be written again at 2026-11-28T10:06:00.000Z.`;
    const entry = { type: 'journal.gap', seq: 42, detail } as Parameters<typeof gapOfEntry>[0];
    expect(gapOfEntry(entry)).toEqual({ ...gap, recordedSeq: 42 });
    expect(gapOfEntry({ ...entry, type: 'service.ready' })).toBeNull();
    expect(gapSentence({ ...gap, count: 1 })).toMatch(/^1 entry could not be written/);
  });
});
