import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import {
  AUDIT_ACTORS,
  AUDIT_OUTCOMES,
  AUDIT_TYPES,
  type AuditEntry,
  type AuditInput,
} from '../../../src-shared/model/audit';
import { GENESIS_HASH, parseEntryLine, sealEntry, serializeEntry } from './canonical';
import { describeWriteFailure } from './gap';
import {
  journalFileName,
  listJournalFiles,
  monthKey,
  parseJournalFileName,
  splitLines,
  syncDir,
  type JournalFileId,
} from './journal-files';
import { JournalReadCache, type JournalReadStats } from './read-cache';
import { cleanDetail, scrubKeyShapes } from './scrub';
import { setAsideTornTail, type TornLineReport } from './torn-line';

/** Default size at which a month's file rolls to the next suffix: 5 MiB. */
export const DEFAULT_AUDIT_MAX_FILE_BYTES = 5 * 1024 * 1024;

/** Where and how the journal writes; `now` is injectable so tests can cross months. */
export interface AuditJournalOptions {
  dir: string;
  maxFileBytes?: number;
  now?: () => Date;
}

/** An append that did not reach the disk; `reason` in plain words, e.g. "ENOSPC: the disk is full". */
export class JournalWriteError extends Error {
  constructor(
    message: string,
    readonly reason: string,
    options: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'JournalWriteError';
  }
}

/** Called after an entry is durably on disk. */
export type AuditAppendListener = (entry: AuditEntry) => void;

const TYPES = new Set<string>(AUDIT_TYPES);
const ACTORS = new Set<string>(AUDIT_ACTORS);
const OUTCOMES = new Set<string>(AUDIT_OUTCOMES);

function scrubOrNull(v: string | null | undefined): string | null {
  return v === undefined || v === null ? null : scrubKeyShapes(v);
}

function checkInput(input: AuditInput): void {
  if (!TYPES.has(input.type)) throw new TypeError(`Unknown audit type "${String(input.type)}".`);
  if (!ACTORS.has(input.actor)) throw new TypeError(`Unknown audit actor "${input.actor}".`);
  if (input.outcome !== undefined && !OUTCOMES.has(input.outcome)) {
    throw new TypeError(`Unknown audit outcome "${input.outcome}".`);
  }
  if (input.pid !== undefined && input.pid !== null && !Number.isSafeInteger(input.pid)) {
    throw new TypeError(`Audit pid must be an integer, got ${input.pid}.`);
  }
}

/**
 * Append-only, hash-chained JSON Lines journal (one process writes it: the app holds a
 * single-instance lock). Appends run one at a time through a promise queue, so concurrent
 * callers get strictly increasing seq and whole lines; each resolves only after write + fsync,
 * so a caller can await it before acknowledging a key release, rotation or delete.
 *
 * Tamper-evident, not tamper-proof: an edit, deletion or reordering breaks the chain, but
 * someone who rewrites every later hash is not caught (that would need an external anchor).
 */
export class AuditJournal {
  private queue: Promise<unknown> = Promise.resolve();
  private seq = 0;
  private lastHash = GENESIS_HASH;
  private current: (JournalFileId & { size: number }) | null = null;
  private handle: FileHandle | null = null;
  private readonly listeners = new Set<AuditAppendListener>();
  private closed = false;
  /**
   * After a failed append whose partial line could not be taken back at once: the file and its
   * last good length, so the next append cuts the partial line before writing (never glues
   * onto it).
   */
  private repair: { name: string; size: number } | null = null;
  /** Parsed entries kept between readAll() calls; see JournalReadCache for when it re-reads. */
  private readonly readCache: JournalReadCache;

  private constructor(
    /** Directory holding audit-YYYY-MM.jsonl[.N] and torn-*.txt. */
    readonly dir: string,
    private readonly maxFileBytes: number,
    private readonly now: () => Date,
  ) {
    this.readCache = new JournalReadCache(dir);
  }

  /** Open (creating `dir`), recover a torn last line if any (and journal that), ready to append. */
  static async open(options: AuditJournalOptions): Promise<AuditJournal> {
    const journal = new AuditJournal(
      options.dir,
      options.maxFileBytes ?? DEFAULT_AUDIT_MAX_FILE_BYTES,
      options.now ?? (() => new Date()),
    );
    await mkdir(options.dir, { recursive: true });
    const torn = await journal.recover();
    if (torn) {
      await journal.append({
        type: 'journal.torn-line',
        actor: 'system',
        outcome: 'failed',
        detail:
          `Set aside a torn last line (${torn.bytes} bytes, line ${torn.line} of ${torn.file}) ` +
          `into ${torn.savedAs}: the app probably stopped while writing it.`,
      });
    }
    return journal;
  }

  /** Seq of the last entry written (0 for an empty journal). */
  get lastSeq(): number {
    return this.seq;
  }

  /** Record one event; resolves with the sealed entry once it is fsynced. */
  append(input: AuditInput): Promise<AuditEntry> {
    if (this.closed) return Promise.reject(new Error('The audit journal is closed.'));
    try {
      checkInput(input);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.enqueue(() => this.write(input));
  }

  /**
   * Every readable entry of every file, in chain order (waits for queued appends). Incremental:
   * only bytes appended since the last call are read, unless the files were changed by someone
   * else. The array is the caller's; the entry objects are shared with the cache, so treat them
   * as read-only.
   */
  readAll(): Promise<AuditEntry[]> {
    return this.enqueue(() => this.readCache.readAll());
  }

  /** How much readAll() has read so far (diagnostics and tests). */
  get readStats(): Readonly<JournalReadStats> {
    return { ...this.readCache.stats };
  }

  /** Subscribe to durable appends; returns the unsubscribe function. */
  onAppend(listener: AuditAppendListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Finish queued appends and close the file; later appends reject. */
  async close(): Promise<void> {
    this.closed = true;
    await this.enqueue(async () => {
      await this.handle?.close();
      this.handle = null;
      this.readCache.reset(); // free the memory; a later readAll() reads the files again
    });
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    // A failed task must not wedge the queue for the callers behind it.
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async recover(): Promise<TornLineReport | null> {
    const files = await listJournalFiles(this.dir);
    const newest = files.at(-1);
    if (newest === undefined) return null;
    const id = parseJournalFileName(newest) as JournalFileId;
    let buf = await readFile(path.join(this.dir, newest));
    const torn = await setAsideTornTail(this.dir, newest, buf, this.now());
    if (torn) buf = buf.subarray(0, buf.length - torn.bytes);
    this.current = { ...id, size: buf.length };
    // The newest file may hold no entry yet (created, then a crash); the chain's tail is then
    // in an earlier file.
    for (let i = files.length - 1; i >= 0; i--) {
      const content =
        i === files.length - 1
          ? buf.toString('utf8')
          : await readFile(path.join(this.dir, files[i] as string), 'utf8');
      const lines = splitLines(content);
      for (let j = lines.length - 1; j >= 0; j--) {
        const parsed = parseEntryLine((lines[j] as { text: string }).text);
        if (parsed.ok) {
          this.seq = parsed.entry.seq;
          this.lastHash = parsed.entry.hash;
          return torn;
        }
      }
    }
    return torn;
  }

  /** The file the next line goes to: roll forward on a new month, or when the line won't fit. */
  private targetFor(at: Date, lineBytes: number): JournalFileId {
    const month = monthKey(at);
    const cur = this.current;
    if (!cur) return { month, index: 0 };
    // A clock that went back keeps writing the newest file: file order is chain order.
    if (month > cur.month) return { month, index: 0 };
    if (cur.size > 0 && cur.size + lineBytes > this.maxFileBytes) {
      return { month: cur.month, index: cur.index + 1 };
    }
    return cur;
  }

  private async switchTo(id: JournalFileId): Promise<FileHandle> {
    const same = this.current && this.current.month === id.month && this.current.index === id.index;
    if (this.handle && same) return this.handle;
    await this.handle?.close();
    this.handle = null;
    const name = journalFileName(id);
    const handle = await open(path.join(this.dir, name), 'a', 0o600);
    let { size } = await handle.stat();
    if (this.repair?.name === name && size > this.repair.size) {
      try {
        await handle.truncate(this.repair.size);
        await handle.sync();
      } catch (err) {
        await handle.close().catch(() => undefined);
        throw err;
      }
      size = this.repair.size;
    }
    this.repair = null;
    if (size === 0) await syncDir(this.dir);
    this.handle = handle;
    this.current = { ...id, size };
    return handle;
  }

  private async write(input: AuditInput): Promise<AuditEntry> {
    const at = this.now();
    const entry = sealEntry({
      seq: this.seq + 1,
      time: at.toISOString(),
      type: input.type,
      actor: input.actor,
      service: scrubOrNull(input.service),
      pid: input.pid ?? null,
      key: scrubOrNull(input.key),
      fingerprint: scrubOrNull(input.fingerprint),
      outcome: input.outcome ?? 'info',
      detail: cleanDetail(input.detail ?? ''),
      prev: this.lastHash,
    });
    const data = Buffer.from(`${serializeEntry(entry)}\n`, 'utf8');
    const target = this.targetFor(at, data.length);
    let name = journalFileName(target);
    let handle: FileHandle | null = null;
    let cur: (JournalFileId & { size: number }) | null = null;
    try {
      handle = await this.switchTo(target);
      cur = this.current as JournalFileId & { size: number };
      name = journalFileName(cur);
      await this.readCache.noteAppendStart(name, handle);
      await handle.writeFile(data);
      await handle.sync();
    } catch (err) {
      if (handle && cur) {
        // Take back a partial line (a write cut short by ENOSPC) so the next append does not
        // glue onto it; if even that fails, the next append cuts it before writing.
        const good = cur.size;
        const undone = await handle.truncate(good).then(
          () => true,
          () => false,
        );
        this.repair = undone ? null : { name, size: good };
        // Reopen on the next append: the file may have been replaced, or made writable again.
        await handle.close().catch(() => undefined);
        this.handle = null;
      }
      // seq and lastHash are unchanged: the next entry that gets written links to the last one
      // on disk, so the chain stays whole and the gap is told by a journal.gap entry instead.
      throw new JournalWriteError(
        `Could not write the audit journal (${name} in ${this.dir}): ` +
          `${(err as Error).message}. The event was not recorded; check free disk space and ` +
          `permissions of that folder.`,
        describeWriteFailure(err),
        { cause: err },
      );
    }
    cur.size += data.length;
    this.seq = entry.seq;
    this.lastHash = entry.hash;
    await this.readCache.noteAppendDone(name, handle, data.length);
    for (const listener of this.listeners) {
      try {
        listener(entry);
      } catch {
        // A failing viewer must not fail the append the caller is awaiting: it is on disk.
      }
    }
    return entry;
  }
}
