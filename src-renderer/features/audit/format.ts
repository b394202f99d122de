import type { AuditGap, VerifyResult } from '../../../src-shared/model/audit';
import { formatDateTime, plural, type Locale } from '../../lib/intl';

/** "entry" / "entries" for `plural`. */
export const ENTRIES = { one: 'entry', other: 'entries' } as const;

/** The entry's time in the user's locale, to the second (the full ISO time is in the details). */
export function localTime(iso: string, locale?: Locale): string {
  return formatDateTime(iso, locale);
}

/** A hex hash shortened to `first12…last4` (the full value goes in a title). */
export function shortHash(hash: string): string {
  return hash.length > 20 ? `${hash.slice(0, 12)}…${hash.slice(-4)}` : hash;
}

/** "3 entries could not be written between … and … (ENOSPC: the disk is full), recorded as entry #42". */
export function gapMessage(gap: AuditGap): string {
  const what = plural(gap.count, ENTRIES);
  const told =
    gap.recordedSeq === null
      ? 'not recorded yet: the journal still cannot be written'
      : `recorded as entry #${gap.recordedSeq}`;
  return `${what} could not be written between ${localTime(gap.firstAt)} and ${localTime(gap.lastAt)} (${gap.reason}), ${told}`;
}

/** The sentence the verify result shows. */
export function verifyMessage(result: VerifyResult): string {
  if (result.ok) {
    const gaps = result.gaps ?? [];
    const intact = `Journal intact: ${plural(result.entries, ENTRIES)} verified`;
    if (gaps.length === 0) return intact;
    return `${intact}, with ${gaps.length === 1 ? 'a gap' : `${gaps.length} gaps`}: ${gaps.map(gapMessage).join('; ')}`;
  }
  if (result.gap) return `Journal incomplete: ${result.reason}`;
  const where = result.seq === null ? 'an unreadable entry' : `entry #${result.seq}`;
  return `Journal damaged at ${where} (${result.file}, line ${result.line}): ${result.reason}`;
}
