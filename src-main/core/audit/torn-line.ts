import { open } from 'node:fs/promises';
import path from 'node:path';
import { parseEntryLine } from './canonical';
import { syncDir } from './journal-files';

/** What was set aside from the end of a journal file after a crash. */
export interface TornLineReport {
  /** Journal file the bytes were cut from. */
  file: string;
  /** 1-based line number the torn line had. */
  line: number;
  bytes: number;
  /** Name of the file in the journal dir that now holds the torn bytes. */
  savedAs: string;
}

/** Byte offset where the last good line ends, and the number of that cut line. */
export interface TornScan {
  goodEnd: number;
  tornLine: number;
}

/**
 * Find a torn tail: bytes after the last newline (a write cut short), or a last complete line
 * that is not an entry (e.g. zeros a filesystem left after a crash). Only the last line can be
 * torn, since every append writes one whole line and fsyncs before the next one starts.
 */
export function scanTornTail(buf: Buffer): TornScan | null {
  const lastNl = buf.lastIndexOf(0x0a);
  const lineCount = (end: number): number => {
    let n = 0;
    for (let i = 0; i < end; i++) if (buf[i] === 0x0a) n++;
    return n;
  };
  if (lastNl + 1 < buf.length) {
    return { goodEnd: lastNl + 1, tornLine: lineCount(lastNl + 1) + 1 };
  }
  if (lastNl < 0) return null;
  const start = buf.lastIndexOf(0x0a, lastNl - 1) + 1;
  const text = buf.subarray(start, lastNl).toString('utf8');
  if (parseEntryLine(text).ok) return null;
  return { goodEnd: start, tornLine: lineCount(start) + 1 };
}

function tornFileName(now: Date, attempt: number): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return attempt === 0 ? `torn-${stamp}.txt` : `torn-${stamp}-${attempt}.txt`;
}

/**
 * If `file` ends in a torn line, copy those bytes to torn-<timestamp>.txt (durably, so nothing
 * is lost even if the evidence was not a crash) and truncate the file to its last good line.
 */
export async function setAsideTornTail(
  dir: string,
  file: string,
  buf: Buffer,
  now: Date,
): Promise<TornLineReport | null> {
  const scan = scanTornTail(buf);
  if (!scan) return null;
  const torn = buf.subarray(scan.goodEnd);
  let savedAs: string;
  for (let attempt = 0; ; attempt++) {
    savedAs = tornFileName(now, attempt);
    try {
      const h = await open(path.join(dir, savedAs), 'wx', 0o600);
      try {
        await h.writeFile(torn);
        await h.sync();
      } finally {
        await h.close();
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 100) throw err;
    }
  }
  await syncDir(dir);
  const h = await open(path.join(dir, file), 'r+');
  try {
    await h.truncate(scan.goodEnd);
    await h.sync();
  } finally {
    await h.close();
  }
  return { file, line: scan.tornLine, bytes: torn.length, savedAs };
}
