import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AuditGap, VerifyResult } from '../../../src-shared/model/audit';
import { entryHash, GENESIS_HASH, parseEntryLine } from './canonical';
import { gapOfEntry, gapSentence } from './gap';
import { listJournalFiles, splitLines } from './journal-files';

/** What the running app knows that the files cannot tell: entries it failed to write. */
export interface VerifyOptions {
  /** The current outage (entries lost and not yet recorded by a journal.gap entry), if any. */
  openGap?: AuditGap | null;
}

/** A seq read straight from a line that no longer parses, as a hint for the report. */
function seqHint(text: string): number | null {
  const m = /"seq":(\d+)/.exec(text);
  return m ? Number(m[1]) : null;
}

/**
 * Re-compute the chain over every journal file in order and report the first bad entry.
 * Per entry, in this order: it parses; its own hash matches its content (catches an edit);
 * its seq is the previous seq + 1 (catches a deleted or swapped line, by name); its prev is
 * the previous entry's hash (catches anything else that breaks the link). torn-*.txt files
 * are evidence set aside on recovery, not part of the chain. journal.gap entries (events the app
 * could not write during an outage) are listed in `gaps`; an outage still going on (told by the
 * running app in `options.openGap`) makes the result not OK.
 */
export async function verifyJournal(
  dir: string,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let count = 0;
  const gaps: AuditGap[] = [];
  const open = options.openGap && options.openGap.count > 0 ? options.openGap : null;
  // Only present when there are any, so a journal without gaps verifies as it always did.
  const withGaps = (): { gaps?: AuditGap[] } => {
    const all = open ? [...gaps, { ...open, recordedSeq: null }] : gaps;
    return all.length > 0 ? { gaps: [...all] } : {};
  };
  let lastFile = '';
  let lastLine = 0;
  for (const file of await listJournalFiles(dir)) {
    const content = await readFile(path.join(dir, file), 'utf8');
    lastFile = file;
    lastLine = 0;
    for (const raw of splitLines(content)) {
      lastLine = raw.line;
      const fail = (seq: number | null, reason: string): VerifyResult => ({
        ok: false,
        seq,
        line: raw.line,
        file,
        reason,
        ...withGaps(),
      });
      if (!raw.terminated) {
        return fail(
          seqHint(raw.text),
          'torn line: the file ends without a newline (the app probably stopped while ' +
            'writing); opening the journal sets it aside',
        );
      }
      const parsed = parseEntryLine(raw.text);
      if (!parsed.ok) return fail(seqHint(raw.text), `unparseable line: ${parsed.reason}`);
      const e = parsed.entry;
      if (entryHash(e) !== e.hash) {
        return fail(e.seq, 'hash mismatch: the entry was edited after it was written');
      }
      if (e.seq !== expectedSeq) {
        const why =
          e.seq > expectedSeq
            ? `seq gap: expected ${expectedSeq}, found ${e.seq} (an entry was deleted or moved)`
            : `seq not increasing: expected ${expectedSeq}, found ${e.seq} (entries were ` +
              'reordered or duplicated)';
        return fail(e.seq, why);
      }
      if (e.prev !== prevHash) {
        return fail(e.seq, 'prev mismatch: the entry before it was deleted, replaced or reordered');
      }
      prevHash = e.hash;
      expectedSeq++;
      count++;
      const gap = gapOfEntry(e);
      if (gap) gaps.push(gap);
    }
  }
  if (open) {
    // The chain on disk is whole, but events happened that it does not hold: not OK.
    return {
      ok: false,
      gap: true,
      seq: expectedSeq,
      line: lastLine + 1,
      file: lastFile,
      reason:
        `${gapSentence(open)} They are missing from the journal after entry #${expectedSeq - 1}; ` +
        'keys are held back until the journal can be written again.',
      ...withGaps(),
    };
  }
  return { ok: true, entries: count, ...withGaps() };
}
