/*
 * A log file that could not be written for a while (disk full, permissions, a folder where a
 * file should be) must not read as if nothing happened: the sink counts what it could not write
 * and, as soon as writing works again, puts one marker record where the lines are missing.
 */

const LF = 0x0a;

/** Records and bytes a log file is missing, and why (the errno code, e.g. ENOSPC). */
export interface LogGap {
  lines: number;
  bytes: number;
  reason: string;
}

/** What a failed batch write means for the file. */
export interface FailedBatch {
  /** Records of the batch that are not in the file (a marker record at the start not counted). */
  lines: number;
  bytes: number;
  /** Bytes of a record cut short at the end of the file (a partial write); cut before the next write. */
  torn: number;
  /** Whether the marker record at the start of the batch reached the file whole. */
  markerWritten: boolean;
}

/** The short reason for a marker line: the error's code when it has one ("ENOSPC"). */
export function gapReason(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' && code !== '' ? code.replace(/^ERR_FS_/, '') : error.message;
}

/** Text of the marker record: `[stigmer-local] 123 lines (45678 bytes) not written: ENOSPC`. */
export function gapMarkerText(gap: LogGap): string {
  const lines = gap.lines === 1 ? '1 line' : `${gap.lines} lines`;
  return `[stigmer-local] ${lines} (${gap.bytes} bytes) not written: ${gap.reason}`;
}

/** Adds a failed batch to an open gap (or starts one). */
export function widenGap(gap: LogGap | null, batch: FailedBatch, reason: string): LogGap {
  return {
    lines: (gap?.lines ?? 0) + batch.lines,
    bytes: (gap?.bytes ?? 0) + batch.bytes,
    reason,
  };
}

function countLf(parts: readonly Buffer[], from: number): number {
  let count = 0;
  let base = 0;
  for (const part of parts) {
    let i = Math.max(0, from - base);
    while (i < part.length) {
      const at = part.indexOf(LF, i);
      if (at === -1) break;
      count++;
      i = at + 1;
    }
    base += part.length;
  }
  return count;
}

/** Offset just after the last LF in the first `limit` bytes of `parts` (0 when there is none). */
function lastRecordEnd(parts: readonly Buffer[], limit: number): number {
  let base = 0;
  let end = 0;
  for (const part of parts) {
    if (base >= limit) break;
    const upto = Math.min(part.length, limit - base);
    const at = part.subarray(0, upto).lastIndexOf(LF);
    if (at !== -1) end = base + at + 1;
    base += part.length;
  }
  return end;
}

/**
 * Splits a batch of whole records (every one ends in LF) whose write failed after `written`
 * bytes reached the file: the complete records stay, a record cut short is torn (to be cut off),
 * the rest is lost. `markerBytes` is the length of a marker record at the batch's start, which
 * is not one of the service's lines.
 */
export function failedBatch(
  parts: readonly Buffer[],
  written: number,
  markerBytes: number,
): FailedBatch {
  let total = 0;
  for (const part of parts) total += part.length;
  const kept = lastRecordEnd(parts, written);
  const from = Math.max(kept, markerBytes);
  return {
    lines: countLf(parts, from),
    bytes: total - from,
    torn: written - kept,
    markerWritten: markerBytes > 0 && kept >= markerBytes,
  };
}
