import { open, stat, type FileHandle } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import path from 'node:path';
import type { AuditEntry } from '../../../src-shared/model/audit';
import { parseEntryLine } from './canonical';
import { listJournalFiles } from './journal-files';

/** What the cache last knew of one file: identity and times, so any other change is noticed. */
interface FileStamp {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

interface CachedFile {
  name: string;
  /** The file as last read, or as left by one of our own appends (growth we vouch for). */
  stamp: FileStamp;
  /** Bytes consumed: always the end of the last whole (newline-terminated) line read. */
  parsed: number;
}

/** Counters for tests and diagnostics: how much the cache actually read. */
export interface JournalReadStats {
  /** Bytes read from journal files since the cache was created. */
  bytesRead: number;
  /** Times the cache was dropped and every file re-read (the first read counts as one). */
  fullReads: number;
}

function stampOf(s: BigIntStats): FileStamp {
  return { dev: s.dev, ino: s.ino, size: s.size, mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs };
}

function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return (
    a.dev === b.dev &&
    a.ino === b.ino &&
    a.size === b.size &&
    a.mtimeNs === b.mtimeNs &&
    a.ctimeNs === b.ctimeNs
  );
}

/** Thrown inside a refresh when the incremental path cannot be trusted; caught there. */
class StaleCache extends Error {}

/**
 * Incremental reader behind AuditJournal.readAll(): keeps every parsed entry in memory and, per
 * file, how many bytes (whole lines only) it has parsed, so a read after N appends parses only
 * those N lines instead of the whole journal.
 *
 * Trust model. A cached file is reused only while its stat (dev, inode, size, mtime, ctime in
 * ns) equals what the cache last saw, either when it read the file or right after one of the
 * journal's own appends (noteAppendStart / noteAppendDone fstat the writer's handle before and
 * after, so growth by our writer is vouched for and growth or edits by anyone else are not).
 * Bytes past `parsed` in the last file are then read and parsed. Anything else: a file shrank,
 * grew without our append, was rewritten (mtime/ctime), replaced (inode), removed, renamed, or
 * a journal file appeared before the last cached one, drops the cache and re-reads every file.
 * New files after the last cached one (the writer rolled by size or month) are read whole.
 * Limit: an external edit that keeps the size and lands in the same filesystem timestamp tick
 * as the previous change (a few ms on Linux) is invisible to stat; verifyJournal still reads
 * every byte.
 *
 * Lines are handled exactly as readJournalEntries does: only newline-terminated lines count
 * (a torn last line is skipped until it gets its newline), unparseable lines are skipped. Byte
 * ranges always start right after a newline, which never occurs inside a UTF-8 sequence, so
 * decoding range by range gives the same text as decoding the whole file.
 *
 * Memory: no cap. readAll() must return every entry anyway, so each call already held the whole
 * parsed journal at its peak; the cache keeps that one copy resident instead of rebuilding it
 * per query. Measured: about 1 KB of heap per entry (two 64-hex hashes, parsed JSON objects),
 * so ~100 MB at 100k entries. Capping would mean re-reading the evicted part on every call,
 * which is what this replaces; AuditJournal.close() drops the cache.
 *
 * Not thread-safe by itself: AuditJournal runs every call on its one-at-a-time queue.
 */
export class JournalReadCache {
  private files: CachedFile[] = [];
  private entries: AuditEntry[] = [];
  /** False until the first read, and after anything that makes the cache untrustworthy. */
  private valid = false;
  /** A pending append's pre-write stamp was checked against the cache and matched. */
  private appendVouched = false;
  readonly stats: JournalReadStats = { bytesRead: 0, fullReads: 0 };

  constructor(private readonly dir: string) {}

  /** Every readable entry of every file, in chain order (a fresh array; entries are shared). */
  async readAll(): Promise<AuditEntry[]> {
    try {
      try {
        if (!this.valid) throw new StaleCache();
        await this.refresh();
      } catch (err) {
        if (!(err instanceof StaleCache)) throw err;
        this.reset();
        this.stats.fullReads++;
        await this.refresh();
      }
    } catch (err) {
      this.reset();
      throw err;
    }
    return this.entries.slice();
  }

  /**
   * Call with the writer's handle before writing to `name`: if the file is cached but no longer
   * as the cache last saw it (edited since), the cache is dropped so the append cannot mask it.
   * Never throws.
   */
  async noteAppendStart(name: string, handle: FileHandle): Promise<void> {
    this.appendVouched = false;
    const cached = this.valid ? this.files.find((f) => f.name === name) : undefined;
    if (!cached) return;
    try {
      if (sameStamp(cached.stamp, stampOf(await handle.stat({ bigint: true })))) {
        this.appendVouched = true;
        return;
      }
    } catch {
      // Never fail the append over the cache: just stop trusting it.
    }
    this.reset();
  }

  /** Call after `bytes` were written to `name` and synced: vouch for that growth. Never throws. */
  async noteAppendDone(name: string, handle: FileHandle, bytes: number): Promise<void> {
    const vouched = this.appendVouched;
    this.appendVouched = false;
    const cached = this.valid ? this.files.find((f) => f.name === name) : undefined;
    if (!cached) return;
    try {
      const after = stampOf(await handle.stat({ bigint: true }));
      if (vouched && after.size === cached.stamp.size + BigInt(bytes)) {
        cached.stamp = after;
        return;
      }
    } catch {
      // The entry is durably written; the append must not fail because of the cache.
    }
    this.reset();
  }

  /** Forget everything; the next readAll re-reads every file. */
  reset(): void {
    this.files = [];
    this.entries = [];
    this.valid = false;
    this.appendVouched = false;
  }

  /** Bring the cache up to date with the directory, or throw StaleCache to ask for a full read. */
  private async refresh(): Promise<void> {
    const names = await listJournalFiles(this.dir);
    if (names.length < this.files.length) throw new StaleCache();
    for (const [i, f] of this.files.entries()) {
      if (names[i] !== f.name) throw new StaleCache();
      let now: FileStamp;
      try {
        now = stampOf(await stat(path.join(this.dir, f.name), { bigint: true }));
      } catch {
        throw new StaleCache();
      }
      if (!sameStamp(now, f.stamp)) throw new StaleCache();
    }
    // Only the last cached file can have unread bytes with entries in them: new entries of an
    // earlier one would belong in the middle of `entries` (and our writer never goes back).
    for (const [i, f] of this.files.entries()) {
      if (BigInt(f.parsed) === f.stamp.size) continue;
      const before = this.entries.length;
      await this.readTail(f);
      if (i < this.files.length - 1 && this.entries.length !== before) throw new StaleCache();
    }
    for (const name of names.slice(this.files.length)) {
      const f: CachedFile = {
        name,
        stamp: { dev: 0n, ino: 0n, size: 0n, mtimeNs: 0n, ctimeNs: 0n },
        parsed: 0,
      };
      await this.readTail(f, true);
      this.files.push(f);
    }
    this.valid = true;
  }

  /**
   * Read `f` from `parsed` to its end and parse the whole lines there. A known file must still
   * match its stamp once opened (it could change between the stat and the open); a new file
   * takes the stamp it has when opened.
   */
  private async readTail(f: CachedFile, isNew = false): Promise<void> {
    const h = await open(path.join(this.dir, f.name), 'r');
    try {
      const now = stampOf(await h.stat({ bigint: true }));
      if (isNew) f.stamp = now;
      else if (!sameStamp(now, f.stamp)) throw new StaleCache();
      const want = Number(now.size) - f.parsed;
      if (want <= 0) return;
      const buf = Buffer.allocUnsafe(want);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await h.read(buf, got, want - got, f.parsed + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      this.stats.bytesRead += got;
      // Never cache beyond whole lines: an unterminated tail is left for a later read.
      const data = buf.subarray(0, got);
      const end = data.lastIndexOf(0x0a) + 1;
      if (end === 0) return;
      const parts = data.toString('utf8', 0, end).split('\n');
      parts.pop(); // the empty piece after the final newline
      for (const text of parts) {
        const parsed = parseEntryLine(text);
        if (parsed.ok) this.entries.push(parsed.entry);
      }
      f.parsed += end;
    } finally {
      await h.close();
    }
  }
}
