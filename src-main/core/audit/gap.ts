import type { AuditEntry, AuditGap } from '../../../src-shared/model/audit';

/** Plain words for the errno codes a journal write meets when the disk or the file says no. */
const CODE_WORDS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied (the journal file or its folder is read-only)',
  EPERM: 'operation not permitted (the journal file or its folder is read-only or immutable)',
  EIO: 'the disk reported an I/O error',
  EISDIR: 'the journal file is a folder',
  EFBIG: 'the journal file is too large for this file system',
};

/** "ENOSPC: the disk is full" for a failed write (looks through `cause`); never quotes data. */
export function describeWriteFailure(error: unknown): string {
  let e: unknown = error;
  for (let depth = 0; e && depth < 5; depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
      return `${code}: ${CODE_WORDS[code] ?? (e as Error).message.replace(/^E[A-Z]+: /, '')}`;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return error instanceof Error ? error.message : String(error);
}

/** "3 entries could not be written between <t1> and <t2> (ENOSPC: the disk is full)." */
export function gapSentence(
  gap: Pick<AuditGap, 'count' | 'firstAt' | 'lastAt' | 'reason'>,
): string {
  const what = gap.count === 1 ? '1 entry' : `${gap.count} entries`;
  return `${what} could not be written between ${gap.firstAt} and ${gap.lastAt} (${gap.reason}).`;
}

const GAP_RE = /^(\d+) entr(?:y|ies) could not be written between (\S+) and (\S+) \((.*)\)\./;

/** The gap a journal.gap entry records (its detail starts with gapSentence), or null. */
export function gapOfEntry(entry: AuditEntry): AuditGap | null {
  if (entry.type !== 'journal.gap') return null;
  const m = GAP_RE.exec(entry.detail);
  if (!m) return null;
  return {
    count: Number(m[1]),
    firstAt: m[2] as string,
    lastAt: m[3] as string,
    reason: m[4] as string,
    recordedSeq: entry.seq,
  };
}
