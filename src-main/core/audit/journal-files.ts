import { open, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AuditEntry } from '../../../src-shared/model/audit';
import { parseEntryLine } from './canonical';

const FILE_RE = /^audit-(\d{4})-(\d{2})\.jsonl(?:\.(\d+))?$/;

/** Position of a journal file in the chain: its month (YYYY-MM, UTC) and roll index (0 = base). */
export interface JournalFileId {
  month: string;
  index: number;
}

/** UTC month key YYYY-MM of a date; string order is time order. */
export function monthKey(date: Date): string {
  return `${date.getUTCFullYear().toString().padStart(4, '0')}-${(date.getUTCMonth() + 1)
    .toString()
    .padStart(2, '0')}`;
}

/** audit-YYYY-MM.jsonl for index 0, then audit-YYYY-MM.jsonl.1, .2 ... as the month rolls by size. */
export function journalFileName(id: JournalFileId): string {
  const base = `audit-${id.month}.jsonl`;
  return id.index === 0 ? base : `${base}.${id.index}`;
}

/** The month and index of a journal file name, or null for any other file (torn-*.txt...). */
export function parseJournalFileName(name: string): JournalFileId | null {
  const m = FILE_RE.exec(name);
  if (!m) return null;
  return { month: `${m[1]}-${m[2]}`, index: m[3] === undefined ? 0 : Number(m[3]) };
}

/** Chain order: month, then roll index. */
export function compareFileIds(a: JournalFileId, b: JournalFileId): number {
  if (a.month !== b.month) return a.month < b.month ? -1 : 1;
  return a.index - b.index;
}

/** Journal file names in `dir`, oldest first; [] when the directory does not exist. */
export async function listJournalFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .map((name) => ({ name, id: parseJournalFileName(name) }))
    .filter((f): f is { name: string; id: JournalFileId } => f.id !== null)
    .sort((a, b) => compareFileIds(a.id, b.id))
    .map((f) => f.name);
}

/** One physical line of a file: its 1-based number, text, and whether it ended in a newline. */
export interface RawLine {
  line: number;
  text: string;
  terminated: boolean;
}

/** Split file content into lines; a final piece without newline is kept, marked unterminated. */
export function splitLines(content: string): RawLine[] {
  const parts = content.split('\n');
  const last = parts.pop() ?? '';
  const lines: RawLine[] = parts.map((text, i) => ({ line: i + 1, text, terminated: true }));
  if (last.length > 0) lines.push({ line: parts.length + 1, text: last, terminated: false });
  return lines;
}

/** Every well-formed entry of every journal file, in chain order; unreadable lines are skipped. */
export async function readJournalEntries(dir: string): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  for (const name of await listJournalFiles(dir)) {
    const content = await readFile(path.join(dir, name), 'utf8');
    for (const l of splitLines(content)) {
      if (!l.terminated) continue;
      const parsed = parseEntryLine(l.text);
      if (parsed.ok) entries.push(parsed.entry);
    }
  }
  return entries;
}

/** Best-effort fsync of a directory so a newly created file's name is durable (no-op on Windows). */
export async function syncDir(dir: string): Promise<void> {
  try {
    const h = await open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    // Directories cannot be opened for fsync on Windows; the file's own fsync still holds.
  }
}
